/**
 * Point-in-time-correct training sets: one row per touch whose attribution window has closed
 * (ts + window ≤ the latest event time in the log); features = touchFeatureRecord(touch, the campaign
 * as of ts, each view's latest final row with timestamp ≤ ts and within its TTL — the offline
 * store's point-in-time join, `asOf`); label = 1 iff a conversion for the touch has ts in [touch.ts, touch.ts + window].
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { homePath, type AlmanacConfig } from '../core/config.ts';
import { invalidInput } from '../core/errors.ts';
import { createProgress } from '../core/progress.ts';
import { createEventLog } from '../pipelines/event-log/create-event-log.ts';
import type { FeatureRow } from './feature-view.ts';
import { FeatureValuePool } from './feature-value-pool.ts';
import { onlineFeatureKey } from './online-features.ts';
import type { OnlineValue } from './online-store/online-store.ts';
import { createOfflineStore } from './offline-store/create-offline-store.ts';
import type { AsOfProbe } from './offline-store/offline-store.ts';
import { featureSource, touchFeatureRecord, VIEW_FEATURE_NAMES, viewEntity } from './touch-features.ts';
import { commitTrainingSet, exampleLine, markLatest, writeLinesToTemp, EXAMPLES_FILE } from './training-set-file.ts';
import type { FeatureColumn, TrainingExample, TrainingSet } from './training-set.ts';
import { conversionKey, readTrainingEvents, type TrainingEvents, type TouchAsOf } from './training-events.ts';
import { LogAdmission } from './jobs/log-admission.ts';
import { FEATURE_VIEWS } from './views/index.ts';

export interface BuildTrainingSetOptions {
  /** Touch-time range [from, to), epoch ms. */
  from?: number;
  to?: number;
  /** Default 7 days. */
  attributionWindowMs?: number;
  /** Output folder (default `<home>/training-sets/<id>`). */
  out?: string;
  quiet?: boolean;
}

export const DEFAULT_ATTRIBUTION_WINDOW_MS = 7 * 86_400_000;

export async function buildTrainingSet(config: AlmanacConfig, options: BuildTrainingSetOptions = {}): Promise<{ dir: string; set: TrainingSet }> {
  const window = options.attributionWindowMs ?? DEFAULT_ATTRIBUTION_WINDOW_MS;
  if (!Number.isInteger(window) || window <= 0) throw invalidInput(`attribution window must be a positive number of ms, got ${window}`, [{ path: 'attributionWindowMs', reason: 'must be > 0' }]);
  if (options.from !== undefined && options.to !== undefined && options.from >= options.to) {
    throw invalidInput(`--from must be before --to (got ${new Date(options.from).toISOString()} ≥ ${new Date(options.to).toISOString()})`, [{ path: 'from', reason: 'must be before to' }]);
  }
  const progress = createProgress({ label: 'training set', unit: 'touches', quiet: options.quiet });
  const { examples, range, offsets } = await labelledExamples(config, options, window);
  progress.update(examples.length);
  // the examples file is written (and hashed) line by line beside where the set goes, then moved in
  const folder = options.out === undefined ? homePath(config, 'training-sets') : path.dirname(path.resolve(options.out));
  const { set, examplesTemp } = await assemble(examples, offsets, window, range, folder);
  const dir = path.resolve(options.out ?? homePath(config, 'training-sets', set.manifest.id));
  await commitTrainingSet(dir, set, examplesTemp);
  await markLatest(config, dir);
  progress.done(`${set.manifest.rows} rows, ${set.manifest.positives} positives → ${dir}`);
  return { dir, set };
}

/**
 * The labelled examples of the closed touches in the range (touch-time order), the range they
 * cover and the log offsets read. The events read for them (every touch with its campaign, the
 * conversions) are this function's alone, so they are garbage once it returns, before the set is
 * written and trained on.
 */
async function labelledExamples(config: AlmanacConfig, options: BuildTrainingSetOptions, window: number): Promise<{ examples: TrainingExample[]; range: { from: number; to: number }; offsets: Record<string, number> }> {
  const log = await createEventLog(config);
  const admission = await LogAdmission.open(config);
  let events: TrainingEvents;
  try {
    events = await readTrainingEvents(log, admission);
  } finally {
    await log.close();
    await admission.close();
  }
  const touches = events.touches.filter((t) => t.ts >= (options.from ?? -Infinity) && t.ts < (options.to ?? Infinity) && t.ts + window <= events.maxTs);
  const range = { from: options.from ?? (touches[0]?.ts ?? 0), to: options.to ?? (touches.length ? (touches[touches.length - 1] as TouchAsOf).ts + 1 : 0) };
  return { examples: await examplesOf(config, touches, events.conversions, window), range, offsets: events.offsets };
}

/** The labelled examples (each touch's rows are looked up as its record is built; the records keep only values, pooled). */
async function examplesOf(config: AlmanacConfig, touches: TouchAsOf[], conversions: TrainingEvents['conversions'], window: number): Promise<TrainingExample[]> {
  const rows = await rowsAsOf(config, touches);
  // one touch's rows under their online keys, as touchFeatureRecord reads them: one map, refilled per touch
  const aggregates = new Map<string, OnlineValue | undefined>();
  // the records share their numbers (feature-value-pool.ts): the set is the biggest thing training holds
  const pool = new FeatureValuePool();
  return touches.map((t, i): TrainingExample => {
    aggregates.clear();
    FEATURE_VIEWS.forEach((view, v) => {
      const entity = viewEntity(view.name, t, t.campaign);
      if (entity !== undefined) aggregates.set(onlineFeatureKey(view.name, entity), (rows[v] as (OnlineValue | undefined)[])[i]);
    });
    return {
      touch_id: t.touch_id, client_id: t.client_id, campaign_id: t.campaign_id, ts: t.ts,
      label: (conversions.get(conversionKey(t.client_id, t.touch_id)) ?? []).some((c) => c >= t.ts && c <= t.ts + window) ? 1 : 0,
      features: pool.record(touchFeatureRecord(t, t.campaign, aggregates)),
    };
  });
}

/** Probes per point-in-time join query. */
const AS_OF_CHUNK = 16_384;

/**
 * For each view (FEATURE_VIEWS order), each touch's row as of the touch time: one array per view,
 * aligned with `touches` (undefined = the view does not apply, or no row within its TTL). The probes
 * are gathered and joined a chunk at a time, so that neither they nor the join's result (in DuckDB
 * and as JS columns) grow with the log.
 */
async function rowsAsOf(config: AlmanacConfig, touches: TouchAsOf[]): Promise<(OnlineValue | undefined)[][]> {
  const store = await createOfflineStore(config);
  try {
    const out: (OnlineValue | undefined)[][] = [];
    for (const view of FEATURE_VIEWS) {
      const rows = new Array<OnlineValue | undefined>(touches.length).fill(undefined);
      // one object per distinct (entity, timestamp) row, shared by every touch that sees it: the
      // join returns a copy per probe (touches × views of them), which the set need not keep
      const distinct = new Map<string, OnlineValue>();
      let probes: AsOfProbe[] = [];
      let owners: number[] = [];
      const join = async (): Promise<void> => {
        const found = await store.asOf(view.name, probes, view.ttlMs);
        found.forEach((row: FeatureRow | undefined, j) => {
          if (!row) return;
          const id = `${(probes[j] as AsOfProbe).entity}\u0000${row.timestamp}`;
          let value = distinct.get(id);
          if (!value) distinct.set(id, (value = { timestamp: row.timestamp, values: row.values }));
          rows[owners[j] as number] = value;
        });
        probes = [];
        owners = [];
      };
      for (let i = 0; i < touches.length; i++) {
        const t = touches[i] as TouchAsOf;
        const entity = viewEntity(view.name, t, t.campaign);
        if (entity === undefined) continue;
        probes.push({ entity, ts: t.ts });
        owners.push(i);
        if (probes.length === AS_OF_CHUNK) await join();
      }
      if (probes.length > 0) await join();
      out.push(rows);
    }
    return out;
  } finally {
    await store.close();
  }
}

const VIEW_FEATURES = new Set(VIEW_FEATURE_NAMES);

/**
 * Columns in order of first appearance; view features are numeric by declaration, the others
 * (touch, audience, campaign attributes) are categorical as soon as one value is a string.
 */
function columnsOf(examples: TrainingExample[]): FeatureColumn[] {
  const types = new Map<string, 'numeric' | 'categorical'>();
  for (const e of examples) {
    const features = e.features;
    for (const name in features) {
      if (VIEW_FEATURES.has(name)) {
        if (!types.has(name)) types.set(name, 'numeric');
        continue;
      }
      if (typeof features[name] === 'string') types.set(name, 'categorical');
      else if (!types.has(name)) types.set(name, 'numeric');
    }
  }
  return [...types].map(([name, type]) => ({ name, type, source: featureSource(name) }));
}

/**
 * The set, its id = hash of the header and of the exact lines written (each example stringified
 * once, hashed and written to a temp file in `folder` as it goes, never all held at once).
 */
async function assemble(examples: TrainingExample[], offsets: Record<string, number>, window: number, range: { from: number; to: number }, folder: string): Promise<{ set: TrainingSet; examplesTemp: string }> {
  const columns = columnsOf(examples);
  const featureViews = FEATURE_VIEWS.map((v) => ({ name: v.name, version: v.version }));
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ window, range, columns, featureViews }));
  const examplesTemp = await writeLinesToTemp(folder, (function* () {
    for (const e of examples) {
      const line = exampleLine(columns, e);
      hash.update(line).update('\n');
      yield line;
    }
  })());
  const id = `ts-${hash.digest('hex').slice(0, 16)}`;
  const set: TrainingSet = {
    manifest: {
      id, createdAt: new Date().toISOString(), range, rows: examples.length,
      positives: examples.reduce((n, e) => n + e.label, 0), attributionWindowMs: window, columns, featureViews,
      eventLogOffsets: offsets, file: EXAMPLES_FILE,
    },
    examples,
  };
  return { set, examplesTemp };
}
