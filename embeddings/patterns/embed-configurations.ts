/**
 * Places each configuration in the champion model's embedding space: the mean of its sample
 * touches' penultimate-layer embeddings (`scorer.embed`), L2-normalised (patterns are searched by
 * cosine similarity).
 */
import { AlmanacError } from '../../core/errors.ts';
import type { Progress } from '../../core/progress.ts';
import type { Scorer } from '../../models/inference/scorer.ts';
import type { Configuration } from './configuration.ts';

const BATCH = 2048;

export async function embedConfigurations(configs: Configuration[], scorer: Scorer, progress?: Progress): Promise<Float64Array[]> {
  const owners: number[] = [];
  const records = configs.flatMap((c, i) => c.samples.map((s) => (owners.push(i), s)));
  const sums: (Float64Array | undefined)[] = configs.map(() => undefined);
  const counts = new Float64Array(configs.length);
  for (let start = 0; start < records.length; start += BATCH) {
    const batch = records.slice(start, start + BATCH);
    const vectors = await scorer.embed(batch);
    if (vectors.length !== batch.length) {
      throw new AlmanacError('ALMANAC_ERR_MODEL_INVALID', `scorer.embed returned ${vectors.length} embeddings for ${batch.length} records`);
    }
    vectors.forEach((v, j) => {
      const owner = owners[start + j] as number;
      const sum = (sums[owner] ??= new Float64Array(v.length));
      for (let d = 0; d < v.length; d++) sum[d] = (sum[d] as number) + (v[d] as number);
      counts[owner] = (counts[owner] as number) + 1;
    });
    progress?.update(Math.min(start + BATCH, records.length));
  }
  return sums.map((sum, i) => {
    if (sum === undefined) throw new AlmanacError('ALMANAC_ERR_INTERNAL', `configuration ${configs[i]?.key} has no sample to embed`);
    return normalise(sum.map((x) => x / (counts[i] as number)));
  });
}

export function normalise(v: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += (v[i] as number) * (v[i] as number);
  n = Math.sqrt(n);
  return n > 0 ? v.map((x) => x / n) : v;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] as number) * (b[i] as number);
    aa += (a[i] as number) * (a[i] as number);
    bb += (b[i] as number) * (b[i] as number);
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}
