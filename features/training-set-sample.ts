/**
 * A sample of a training set for training on a set bigger than training can hold or afford: each
 * example is kept when the hash of its touch id falls under the rate (max rows / rows), so the
 * same set always gives the same sample, every period and client keeps its share, and the rows
 * stay in touch-time order (the time split of training still holds out the latest touches). The
 * manifest still describes the whole set; `sample` says which rows are held.
 */
import { invalidInput } from '../core/errors.ts';
import { fnv1a32 } from '../core/stable-hash.ts';
import type { TrainingSet, TrainingSetSample } from './training-set.ts';

export interface TrainingSample {
  set: TrainingSet;
  /** Undefined when the set was small enough and is returned as it is. */
  sample?: TrainingSetSample;
}

/** At most about `maxRows` examples of `set` (the hash rule gives maxRows ± a few √maxRows). */
export function sampleTrainingSet(set: TrainingSet, maxRows: number): TrainingSample {
  const held = set.examples.length;
  if (!Number.isFinite(maxRows) || maxRows <= 0 || held <= maxRows) return { set, ...(set.sample ? { sample: set.sample } : {}) };
  const of = set.sample?.of ?? held;
  // a sample of a sample: the rate is relative to the whole set
  const rate = (set.sample?.rate ?? 1) * (maxRows / held);
  const examples = set.examples.filter((e) => inSample(e.touch_id, rate));
  const sample = touchIdSample(rate, examples.length, of);
  return { set: { ...set, examples, sample }, sample };
}

/** @throws ALMANAC_ERR_INPUT_INVALID unless `rows` (a bound on the rows held, named `field`) is a positive integer. */
export function checkRowBound(rows: number, field: string): void {
  if (!Number.isInteger(rows) || rows < 1) throw invalidInput(`${field} must be a positive whole number of rows, got ${rows}`, [{ path: field, reason: 'must be an integer ≥ 1' }]);
}

/** The sample rate that holds about `holdRows` of a set's `rows` (1 = every row: no bound, or the set is within it). */
export function holdRate(rows: number, holdRows: number | undefined): number {
  return holdRows !== undefined && rows > holdRows ? holdRows / rows : 1;
}

/** What a touch-id-hash sample at `rate` holds: `rows` of the set's `of`. */
export function touchIdSample(rate: number, rows: number, of: number): TrainingSetSample {
  return { method: 'touch-id-hash', rate, rows, of };
}

/** Whether an example of the set is in its touch-id-hash sample at `rate` (the same rule as sampleTrainingSet). */
export function inSample(touchId: string, rate: number): boolean {
  return rate >= 1 || mix32(fnv1a32(touchId)) < Math.floor(rate * 2 ** 32);
}

/**
 * MurmurHash3's finaliser: FNV-1a alone mixes a string's last characters poorly into the high
 * bits, so ids that differ only at the end (t-00017, t-00018, …) fell under the bound too often
 * (188 of an expected 128 in the builder's test).
 */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
