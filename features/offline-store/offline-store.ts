/**
 * OfflineStore port: the history of final feature rows, as columnar files partitioned by date,
 * queried in-process; the source of point-in-time-correct training sets.
 *
 * Writes are idempotent on (view, entity, timestamp): appending the same row twice, or a
 * backfill that rewrites a range, leaves one row per key (the last written wins).
 */
import type { FeatureRow } from '../feature-view.ts';

export interface TimeRange {
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms. */
  to: number;
}

export interface CompactionReport {
  view: string;
  /** Date partitions merged. */
  partitions: number;
  filesBefore: number;
  filesAfter: number;
  /** Rows in the merged files (after deduplication). */
  rows: number;
}

export interface OfflineStore {
  readonly kind: string;
  init(): Promise<void>;
  close(): Promise<void>;
  /** Appends rows of one view (stream job). Durable (file renamed into place) when resolved. */
  append(view: string, rows: FeatureRow[]): Promise<void>;
  /**
   * Replaces every row of `view` whose timestamp is in `range` with `rows` (backfill), atomically
   * per date partition: readers see the old or the new partition, never a mix.
   */
  replaceRange(view: string, range: TimeRange, rows: FeatureRow[]): Promise<void>;
  /** Rows of a view in a time range (deduplicated, ordered by entity then timestamp). */
  scan(view: string, range?: TimeRange): Promise<FeatureRow[]>;
  /**
   * Merges the part files of each date partition of `view` holding at least `minFiles` of them
   * into one (rows deduplicated, each keeping its write sequence, so that scans return exactly
   * what they returned before and a later append still wins). Safe beside appends from another
   * process: only the files it read are removed, after the merged file is in place; a crash in
   * between leaves duplicates that reads already deduplicate, and running it again finishes.
   */
  compact(view: string, options?: { minFiles?: number }): Promise<CompactionReport>;
  /** Views present in the store. */
  views(): Promise<string[]>;
  /** Folder of a view's files (for DuckDB queries such as the point-in-time join). */
  location(view: string): string;
}
