/**
 * One number per distinct feature value, shared by the records that hold it. V8 keeps a number
 * that is not a small integer as a heap object of its own (16 bytes), and a value read from a
 * view row, computed or parsed from JSON is a new one each time: a record of the demo's training
 * set held ~90 of them (~2.9 KB a record; the set's 93k records took 278 MB of heap). Their values
 * repeat a lot (every touch that sees a view row gets the row's values; budgets, durations and
 * times of day are few), so handing each record field the pool's copy of its value leaves one
 * object per distinct value (~115k for that set): 131 MB as built, 125 MB read back from its file
 * (197 MB before).
 *
 * Values are unchanged: a number is replaced by an equal one (zero is left as it is, so that −0
 * stays −0: the pool's Map would take it for 0). Pool one batch of records (a training set being
 * built or read), then drop the pool; it holds each distinct value once.
 */
import type { FeatureRecord, FeatureValue } from './training-set.ts';

export class FeatureValuePool {
  private readonly numbers = new Map<number, number>();

  /** `value`, or the equal number the pool already holds. */
  value(value: FeatureValue): FeatureValue {
    if (typeof value !== 'number' || value === 0) return value;
    const held = this.numbers.get(value);
    if (held !== undefined) return held;
    this.numbers.set(value, value);
    return value;
  }

  /** `record` with each number replaced by the pool's (in place: same keys, order and values). @returns record */
  record(record: FeatureRecord): FeatureRecord {
    for (const name in record) {
      const v = record[name] as FeatureValue;
      if (typeof v === 'number' && v !== 0) record[name] = this.value(v);
    }
    return record;
  }

  /** Distinct numbers held. */
  get size(): number {
    return this.numbers.size;
  }
}
