/**
 * OfflineStore port: the history of final feature rows, as columnar files partitioned by date,
 * queried in-process; the source of point-in-time-correct training sets (it owns the
 * point-in-time join, `asOf`, as Feast's offline store owns `get_historical_features`).
 *
 * Writes are idempotent on (view, entity, timestamp): appending the same row twice, or a
 * backfill that rewrites a range, leaves one row per key (the last written wins; within one
 * batch, the later row in the array).
 *
 * Adapters: `parquet/` (Parquet files written and queried with DuckDB). Callers get one from
 * `create-offline-store.ts`, never by constructing an adapter. Every operation before `init()` or
 * after `close()` fails with ALMANAC_ERR_STORE_UNAVAILABLE (not retriable).
 */
import type { FeatureRow } from '../feature-view.ts';

export interface TimeRange {
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms. */
  to: number;
}

/** One point-in-time lookup: the entity, and the time its features are wanted as of. */
export interface AsOfProbe {
  entity: string;
  /** As-of time, epoch ms. */
  ts: number;
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
  /** Waits for every operation in flight, then releases the engine. */
  close(): Promise<void>;
  /**
   * Appends rows of one view (stream job). Durable (file renamed into place) when resolved.
   * @param rows - each with `view` equal to `view`, a string entity, an integer epoch-ms timestamp
   *   and finite values (names other than entity, timestamp, written_at, date).
   * @throws ALMANAC_ERR_INPUT_INVALID (a bad view name or row; nothing is written)
   */
  append(view: string, rows: FeatureRow[]): Promise<void>;
  /**
   * Replaces every row of `view` whose timestamp is in `range` with `rows` (backfill), atomically
   * per date partition: readers see the old or the new partition, never a mix. Rows outside
   * `range` are ignored.
   * @throws ALMANAC_ERR_INPUT_INVALID (a bad view name, range or row; nothing is written)
   */
  replaceRange(view: string, range: TimeRange, rows: FeatureRow[]): Promise<void>;
  /**
   * Rows of a view in a time range (deduplicated, ordered by entity then timestamp); [] for a view
   * with no rows.
   * @throws ALMANAC_ERR_INPUT_INVALID (a bad view name or range)
   */
  scan(view: string, range?: TimeRange): Promise<FeatureRow[]>;
  /**
   * The point-in-time join: for each probe, the latest row of `view` for the probe's entity with
   * timestamp ≤ probe.ts, provided probe.ts − timestamp ≤ ttlMs (an older latest row gives no row;
   * the store does not fall back further). A row at exactly probe.ts, or exactly ttlMs old, counts.
   * Never a row after probe.ts, never another entity's row.
   * @param ttlMs - how long (ms) a row stays valid after its timestamp; ≥ 0, Infinity = no limit.
   * @returns rows aligned with `probes` (undefined = no such row); equal probes get equal rows.
   * @throws ALMANAC_ERR_INPUT_INVALID (a bad view name, TTL or probe)
   */
  asOf(view: string, probes: AsOfProbe[], ttlMs: number): Promise<(FeatureRow | undefined)[]>;
  /**
   * Merges the part files of each date partition of `view` holding at least `minFiles` of them
   * into one (rows deduplicated, each keeping its write sequence, so that scans and asOf return
   * exactly what they returned before and a later append still wins). Safe beside appends from
   * another process: only the files it read are removed, after the merged file is in place; a crash
   * in between leaves duplicates that reads already deduplicate, and running it again finishes.
   * @throws ALMANAC_ERR_INPUT_INVALID (a bad view name)
   */
  compact(view: string, options?: { minFiles?: number }): Promise<CompactionReport>;
  /** Views present in the store (with at least one row), sorted. */
  views(): Promise<string[]>;
  /**
   * Row count of a view (deduplicated: one per entity and timestamp) and its latest timestamp (epoch
   * ms, undefined without rows), for the console's feature-view page.
   * @throws ALMANAC_ERR_INPUT_INVALID (a bad view name)
   */
  rowStats(view: string): Promise<{ rows: number; lastTimestamp: number | undefined }>;
}
