import { describe, expect, it } from 'vitest';
import type { FeatureRecord } from '../../../features/training-set.ts';
import { COALESCE_MAX_ROWS, RunCoalescer } from '../../../models/inference/run-coalescer.ts';

/** A fake model: 2 floats per record ([x, 10·x]); records every batch size it was run with. */
function fakeRun(fail = false) {
  const batches: number[] = [];
  const run = async (records: FeatureRecord[]) => {
    batches.push(records.length);
    if (fail) throw new Error('model failed');
    const out = new Float32Array(records.length * 2);
    records.forEach((r, i) => { out[2 * i] = r.x as number; out[2 * i + 1] = 10 * (r.x as number); });
    return out;
  };
  return { run, batches };
}
const recs = (...xs: number[]): FeatureRecord[] => xs.map((x) => ({ x }));

describe('RunCoalescer', () => {
  it('runs the calls of one turn once and gives each caller its own rows', async () => {
    const { run, batches } = fakeRun();
    const c = new RunCoalescer(run, 2);
    const [a, b, d] = await Promise.all([c.submit(recs(1)), c.submit(recs(2, 3)), c.submit(recs(4))]);
    expect(batches).toEqual([4]);
    expect(Array.from(a)).toEqual([1, 10]);
    expect(Array.from(b)).toEqual([2, 20, 3, 30]);
    expect(Array.from(d)).toEqual([4, 40]);
  });

  it('runs large calls on their own', async () => {
    const { run, batches } = fakeRun();
    const c = new RunCoalescer(run, 2);
    const big = recs(...Array.from({ length: COALESCE_MAX_ROWS + 1 }, (_, i) => i));
    const [out] = await Promise.all([c.submit(big), c.submit(recs(5))]);
    expect(out.length).toBe(2 * big.length);
    expect(batches.sort((x, y) => x - y)).toEqual([1, COALESCE_MAX_ROWS + 1]);
  });

  it('rejects every call of a failed run with its error', async () => {
    const { run } = fakeRun(true);
    const c = new RunCoalescer(run, 2);
    const results = await Promise.allSettled([c.submit(recs(1)), c.submit(recs(2))]);
    expect(results.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['model failed', 'model failed']);
  });
});
