/**
 * The batch job: replays the whole event log (every partition from its start, via `replay`) through
 * the same aggregation engine as the stream job, and replaces the offline store's rows of the range
 * with the result (whole date partitions swapped). The embedded log's replay advances the
 * partition furthest behind in event time, so open state stays as small as in the stream.
 */
import type { AlmanacConfig } from '../../core/config.ts';
import { createProgress } from '../../core/progress.ts';
import { AggregationEngine, type EngineStats } from '../aggregation/aggregation-engine.ts';
import type { FeatureRow } from '../feature-view.ts';
import { createOfflineStore } from '../offline-store/create-offline-store.ts';
import type { OfflineStore, TimeRange } from '../offline-store/offline-store.ts';
import { FEATURE_VIEWS } from '../views/index.ts';
import { createEventLog } from '../../pipelines/event-log/create-event-log.ts';
import { EVENTS_TOPIC, type EventLog, type PartitionOffsets } from '../../pipelines/event-log/event-log.ts';
import type { RejectionReason } from '../../core/tenants/event-admission.ts';
import { LogAdmission, processRead } from './log-admission.ts';
import { READ_BATCH } from './read-batch.ts';

export interface BackfillOptions {
  /** Inclusive, epoch ms (default: the beginning). */
  from?: number;
  /** Exclusive, epoch ms (default: no end). */
  to?: number;
  quiet?: boolean;
  /** Records per read (default READ_BATCH). */
  chunk?: number;
  /** Injected offline store (benchmarks); null = compute only, write nothing. */
  offline?: OfflineStore | null;
}

export interface BackfillReport {
  records: number;
  range: TimeRange;
  rows: number;
  rowsByView: Record<string, number>;
  /** Event-log end offsets replayed, by partition. */
  offsets: Record<string, number>;
  watermark: number | null;
  stats: EngineStats;
  /** Events refused by the ownership rule (core/tenants/event-admission.ts), by reason. */
  rejected: Partial<Record<RejectionReason, number>>;
}

const MAX_TS = 8.64e15;

/** Replays the log through the engine (one `EventLog.replay`); calls `onRows` with final rows as they become final. */
export async function replayLog(log: EventLog, engine: AggregationEngine, onRows: (rows: FeatureRow[]) => void, options: { chunk?: number; onProgress?: (n: number) => void; admission: LogAdmission }): Promise<PartitionOffsets[]> {
  const offsets = await log.offsets(EVENTS_TOPIC);
  engine.setPartitions(offsets.filter((o) => o.end > o.start).map((o) => o.partition));
  const to = Object.fromEntries(offsets.map((o) => [o.partition, o.end]));
  let total = 0;
  for await (const { partition, records } of log.replay(EVENTS_TOPIC, { to, batchSize: options.chunk ?? READ_BATCH })) {
    const read = await options.admission.read(records.map((r) => r.value));
    for (const r of read) processRead(engine, partition, r);
    total += records.length;
    options.onProgress?.(total);
    onRows(engine.drain());
  }
  // End of the log: as the stream job does once caught up, idle partitions stop holding the watermark back.
  onRows(engine.drain({ caughtUp: true }));
  return offsets;
}

export async function runBackfill(config: AlmanacConfig, options: BackfillOptions = {}): Promise<BackfillReport> {
  const range: TimeRange = { from: options.from ?? 0, to: options.to ?? MAX_TS };
  const log = await createEventLog(config);
  await log.init();
  await log.ensureTopic(EVENTS_TOPIC, { partitions: config.eventLog.partitions });
  const offline = options.offline === null ? undefined : (options.offline ?? (await createOfflineStore(config)));
  const admission = await LogAdmission.open(config);
  try {
    const total = (await log.offsets(EVENTS_TOPIC)).reduce((n, o) => n + o.end - o.start, 0);
    const progress = createProgress({ label: 'features backfill', total, unit: 'events', quiet: options.quiet });
    const engine = new AggregationEngine();
    const byView = new Map<string, FeatureRow[]>(FEATURE_VIEWS.map((v) => [v.name, []]));
    const offsets = await replayLog(log, engine, (rows) => {
      for (const r of rows) if (r.timestamp >= range.from && r.timestamp < range.to) byView.get(r.view)?.push(r);
    }, { chunk: options.chunk, onProgress: (n) => progress.update(n), admission });
    if (offline) for (const [view, rows] of byView) await offline.replaceRange(view, range, rows);
    const rowsByView = Object.fromEntries([...byView].map(([v, rows]) => [v, rows.length]));
    const rows = Object.values(rowsByView).reduce((a, b) => a + b, 0);
    progress.done(`${rows} rows in ${byView.size} views`);
    const wm = engine.watermark();
    return { records: engine.stats.records, range, rows, rowsByView, offsets: Object.fromEntries(offsets.map((o) => [o.partition, o.end])), watermark: Number.isFinite(wm) ? wm : null, stats: engine.stats, rejected: { ...admission.rejected } };
  } finally {
    await admission.close();
    await log.close();
    if (offline && options.offline === undefined) await offline.close();
  }
}
