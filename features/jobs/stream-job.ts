/**
 * The stream job: consumes EVENTS_TOPIC with a consumer group, runs the aggregation engine, writes
 * final rows to the online and offline stores, and only then checkpoints the engine state and
 * commits the offsets (at-least-once delivery + idempotent writes + exact state = exactly-once
 * results). `untilCaughtUp` stops when every assigned partition is read to its end; otherwise it
 * runs until `signal` aborts (finishing and committing the current batch; with `drainOnAbort`, reading
 * on to the end of the log first).
 */
import type { AlmanacConfig } from '../../core/config.ts';
import { AlmanacError } from '../../core/errors.ts';
import { createProgress } from '../../core/progress.ts';
import { AggregationEngine, type EngineStats } from '../aggregation/aggregation-engine.ts';
import { createOfflineStore } from '../offline-store/create-offline-store.ts';
import { createOnlineStore } from '../online-store/create-online-store.ts';
import type { OnlineStore } from '../online-store/online-store.ts';
import type { OfflineStore } from '../offline-store/offline-store.ts';
import { createEventLog } from '../../pipelines/event-log/create-event-log.ts';
import { EVENTS_TOPIC, type EventLog, type LogConsumer } from '../../pipelines/event-log/event-log.ts';
import type { Metrics } from '../../core/metrics.ts';
import type { RejectionReason } from '../../core/tenants/event-admission.ts';
import { FeatureSink } from './feature-sink.ts';
import { LogAdmission, processRead, type ReadRecord } from './log-admission.ts';
import { READ_BATCH } from './read-batch.ts';
import { loadCheckpoint, saveCheckpoint } from './stream-checkpoint.ts';
import { DEFAULT_STREAM_GROUP } from '../feature-view-freshness.ts';

export interface StreamJobOptions {
  untilCaughtUp?: boolean;
  signal?: AbortSignal;
  /** When `signal` aborts, read on until caught up with the log (every event appended before the stop), commit, and stop. */
  drainOnAbort?: boolean;
  quiet?: boolean;
  /** Consumer group (default 'almanac-features'). */
  group?: string;
  /** Records per poll (default READ_BATCH). */
  maxRecords?: number;
  /** Commit (stores, checkpoint, offsets) at least this often while records flow (ms, default 5000). */
  commitIntervalMs?: number;
  /** Stop after this many records (tests simulate a crash with it; the last batch is not committed). */
  crashAfterRecords?: number;
  /** Injected stores (benchmarks); default from config. */
  online?: OnlineStore;
  offline?: OfflineStore | null;
  /** Prometheus metrics: rejected events are counted in almanac_events_rejected_total{job="stream",reason}. */
  metrics?: Metrics;
}

export interface StreamJobReport {
  group: string;
  records: number;
  rowsWritten: number;
  commits: number;
  /** Whether the job resumed from a checkpoint (false = replayed from the start). */
  resumed: boolean;
  lag: number;
  watermark: number | null;
  stats: EngineStats;
  /** Events refused by the ownership rule (core/tenants/event-admission.ts), by reason. */
  rejected: Partial<Record<RejectionReason, number>>;
}

export { DEFAULT_STREAM_GROUP };

interface Run {
  config: AlmanacConfig;
  log: EventLog;
  consumer: LogConsumer;
  engine: AggregationEngine;
  sink: FeatureSink;
  positions: Map<number, number>;
  group: string;
  commits: number;
  admission: LogAdmission;
}

async function lagOf(run: Run): Promise<number> {
  const offsets = await run.log.offsets(EVENTS_TOPIC);
  let lag = 0;
  for (const o of offsets) if (run.positions.has(o.partition)) lag += o.end - (run.positions.get(o.partition) as number);
  return lag;
}

/** Registers the partitions that hold data (they gate emission) and the start positions. */
async function startPositions(run: Run, checkpoint: Record<string, number> | undefined): Promise<void> {
  const offsets = await run.log.offsets(EVENTS_TOPIC);
  const assigned = new Set(run.consumer.assignment());
  if (assigned.size > 0 && assigned.size < offsets.length) {
    // cross-client views (industry, channel, segment) need every partition in one engine
    throw new AlmanacError('ALMANAC_ERR_INPUT_CONFLICT', `consumer group '${run.group}' already has a running member (got ${assigned.size} of ${offsets.length} partitions); run one stream job per group`, {
      details: { group: run.group, assigned: [...assigned], partitions: offsets.length },
    });
  }
  for (const o of offsets) {
    if (!assigned.has(o.partition)) continue;
    const pos = Math.min(Math.max(checkpoint?.[o.partition] ?? o.start, o.start), o.end);
    run.consumer.seek(o.partition, pos);
    run.positions.set(o.partition, pos);
  }
  registerPartitions(run, offsets);
}

function registerPartitions(run: Run, offsets: { partition: number; start: number; end: number }[]): void {
  run.engine.setPartitions(offsets.filter((o) => run.positions.has(o.partition) && o.end > o.start).map((o) => o.partition));
}

/** Makes buffered writes durable, then checkpoints the engine, then commits the offsets. */
async function commit(run: Run): Promise<void> {
  await run.sink.write();
  const offsets = Object.fromEntries(run.positions);
  await saveCheckpoint(run.config, { group: run.group, topic: EVENTS_TOPIC, offsets, engine: run.engine.snapshot() });
  await run.consumer.commit([...run.positions].map(([partition, offset]) => ({ partition, offset })));
  run.commits++;
}

export async function runStreamJob(config: AlmanacConfig, options: StreamJobOptions = {}): Promise<StreamJobReport> {
  const group = options.group ?? DEFAULT_STREAM_GROUP;
  const log = await createEventLog(config);
  await log.init();
  await log.ensureTopic(EVENTS_TOPIC, { partitions: config.eventLog.partitions });
  const online = options.online ?? (await createOnlineStore(config));
  if (!options.online) await online.init();
  const offline = options.offline === null ? undefined : (options.offline ?? (await createOfflineStore(config)));
  const consumer = await log.consumer({ group, topic: EVENTS_TOPIC });
  const admission = await LogAdmission.open(config, options.metrics ? { onReject: (reason) => options.metrics?.eventsRejected.inc({ job: 'stream', reason }) } : {});
  try {
    const checkpoint = await loadCheckpoint(config, group);
    let engine = new AggregationEngine();
    const resumed = checkpoint !== undefined && engine.fits(checkpoint.engine);
    if (resumed) engine = new AggregationEngine({}, checkpoint.engine);
    const run: Run = { config, log, consumer, engine, sink: new FeatureSink(online, offline), positions: new Map(), group, commits: 0, admission };
    await startPositions(run, resumed ? checkpoint.offsets : undefined);
    const records = await consume(run, options);
    return { group, records, rowsWritten: run.sink.written, commits: run.commits, resumed, lag: await lagOf(run), watermark: finite(engine.watermark()), stats: engine.stats, rejected: { ...admission.rejected } };
  } finally {
    await admission.close();
    await consumer.close();
    await log.close();
    if (!options.online) await online.close();
    if (offline && options.offline === undefined) await offline.close();
  }
}

async function consume(run: Run, options: StreamJobOptions): Promise<number> {
  const progress = createProgress({ label: 'features stream', unit: 'events', quiet: options.quiet });
  const maxRecords = options.maxRecords ?? READ_BATCH;
  const interval = options.commitIntervalMs ?? 5000;
  let lastCommit = Date.now();
  let total = 0;
  let dirty = false;
  for (;;) {
    const batch = await run.consumer.poll({ maxRecords, maxWaitMs: options.untilCaughtUp ? 0 : 500 });
    const read = await run.admission.read(batch.map((r) => r.value));
    batch.forEach((r, i) => {
      const e = processRead(run.engine, r.partition, read[i] as ReadRecord);
      if (e !== undefined && (e.type === 'campaign' || e.type === 'client')) run.sink.addProfile(e);
      run.positions.set(r.partition, r.offset + 1);
    });
    total += batch.length;
    if (options.crashAfterRecords !== undefined && total >= options.crashAfterRecords) return total;
    if (batch.length > 0) dirty = true;
    run.sink.addRows(run.engine.drain());
    const stopping = options.signal?.aborted === true;
    if (batch.length > 0 && !stopping && Date.now() - lastCommit < interval) continue;
    const offsets = await run.log.offsets(EVENTS_TOPIC);
    registerPartitions(run, offsets);
    const lag = await lagOf(run);
    if (batch.length === 0 && lag === 0) {
      // Caught up: partitions with nothing more to read no longer hold the watermark back.
      const rows = run.engine.drain({ caughtUp: true });
      if (rows.length > 0) {
        run.sink.addRows(rows);
        dirty = true;
      }
    }
    progress.update(total, `lag ${lag}, rows ${run.sink.written + run.sink.pending}`);
    if (dirty) {
      await commit(run);
      lastCommit = Date.now();
      dirty = false;
    }
    const drained = lag === 0 && batch.length === 0;
    if ((stopping && (!options.drainOnAbort || drained)) || (options.untilCaughtUp && drained)) break;
  }
  progress.done(`${total} events, ${run.sink.written} rows, watermark ${fmt(run.engine.watermark())}`);
  return total;
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);
const fmt = (n: number): string => (Number.isFinite(n) ? new Date(n).toISOString() : 'none');
