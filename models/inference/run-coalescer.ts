/**
 * Coalesces small scoring calls made in the same event-loop turn into one model run. A served
 * request scores one to a few rows; onnxruntime's fixed cost per run (~0.1 ms here) dwarfs the
 * rows' cost, so under concurrent load the calls queued before the next check phase
 * (setImmediate) share a single run and each caller gets its own rows back.
 */
import type { FeatureRecord } from '../../features/training-set.ts';

/** Calls with more rows than this run on their own (they amortise the run cost themselves). */
export const COALESCE_MAX_ROWS = 64;

interface Job<T> {
  records: T[];
  resolve(values: Float32Array): void;
  reject(err: unknown): void;
}

/** Runs `records` (feature records, or encoded rows) through the model and returns `width` floats per record, row-major. */
export type BatchRun<T = FeatureRecord> = (records: T[]) => Promise<Float32Array>;

export class RunCoalescer<T = FeatureRecord> {
  private queue: Job<T>[] = [];
  private scheduled = false;

  /** @param width floats per record in `run`'s result */
  constructor(private readonly run: BatchRun<T>, private readonly width: number) {}

  /** The rows of `records`, from a run shared with the other calls of this turn. @throws what the run throws */
  submit(records: T[]): Promise<Float32Array> {
    if (records.length === 0 || records.length > COALESCE_MAX_ROWS) return this.run(records);
    return new Promise<Float32Array>((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const jobs = this.queue;
    this.queue = [];
    if (jobs.length === 1) {
      const job = jobs[0] as Job<T>;
      return this.run(job.records).then(job.resolve, job.reject);
    }
    const all: T[] = [];
    for (const job of jobs) for (const r of job.records) all.push(r);
    let values: Float32Array;
    try {
      values = await this.run(all);
    } catch (err) {
      for (const job of jobs) job.reject(err);
      return;
    }
    let row = 0;
    for (const job of jobs) {
      job.resolve(values.subarray(row * this.width, (row + job.records.length) * this.width));
      row += job.records.length;
    }
  }
}
