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
import { onlineFeatureKey } from './online-features.ts';
import type { OnlineValue } from './online-store/online-store.ts';
import { createOfflineStore } from './offline-store/create-offline-store.ts';
import { featureSource, touchFeatureKeys, touchFeatureRecord, VIEW_FEATURE_NAMES } from './touch-features.ts';
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
  const examples = await examplesOf(config, touches, events.conversions, window);
  progress.update(examples.length);
  // the examples file is written (and hashed) line by line beside where the set goes, then moved in
  const folder = options.out === undefined ? homePath(config, 'training-sets') : path.dirname(path.resolve(options.out));
  const { set, examplesTemp } = await assemble(examples, events, window, { from: options.from ?? (touches[0]?.ts ?? 0), to: options.to ?? (touches.length ? (touches[touches.length - 1] as TouchAsOf).ts + 1 : 0) }, folder);
  const dir = path.resolve(options.out ?? homePath(config, 'training-sets', set.manifest.id));
  await commitTrainingSet(dir, set, examplesTemp);
  await markLatest(config, dir);
  progress.done(`${set.manifest.rows} rows, ${set.manifest.positives} positives → ${dir}`);
  return { dir, set };
}

/** The labelled examples (the touches' aggregates are dropped once their records are built). */
async function examplesOf(config: AlmanacConfig, touches: TouchAsOf[], conversions: TrainingEvents['conversions'], window: number): Promise<TrainingExample[]> {
  const aggregates = await aggregatesAsOf(config, touches);
  return touches.map((t, i): TrainingExample => ({
    touch_id: t.touch_id, client_id: t.client_id, campaign_id: t.campaign_id, ts: t.ts,
    label: (conversions.get(conversionKey(t.client_id, t.touch_id)) ?? []).some((c) => c >= t.ts && c <= t.ts + window) ? 1 : 0,
    features: touchFeatureRecord(t, t.campaign, aggregates[i] as Map<string, OnlineValue | undefined>),
  }));
}

/** Probes per point-in-time join query. */
const AS_OF_CHUNK = 16_384;

/** For each touch, its views' rows as of the touch time (keyed by onlineFeatureKey). */
async function aggregatesAsOf(config: AlmanacConfig, touches: TouchAsOf[]): Promise<Map<string, OnlineValue | undefined>[]> {
  const out = touches.map(() => new Map<string, OnlineValue | undefined>());
  const store = await createOfflineStore(config);
  try {
    const keys = touches.map((t) => touchFeatureKeys(t, t.campaign));
    for (const view of FEATURE_VIEWS) {
      const probes: { entity: string; ts: number; touch: number }[] = [];
      keys.forEach((ks, i) => ks.forEach((k) => k.view === view.name && probes.push({ entity: k.entity, ts: (touches[i] as TouchAsOf).ts, touch: i })));
      // one object per distinct (entity, timestamp) row, shared by every touch that sees it: the
      // join returns a copy per probe (touches × views of them), which the set need not keep
      const distinct = new Map<string, OnlineValue>();
      // in chunks, so that the join's result (in DuckDB and as JS columns) stays small
      for (let from = 0; from < probes.length; from += AS_OF_CHUNK) {
        const chunk = probes.slice(from, from + AS_OF_CHUNK);
        const rows = await store.asOf(view.name, chunk, view.ttlMs);
        rows.forEach((row: FeatureRow | undefined, j) => {
          const p = chunk[j] as { entity: string; touch: number };
          let value: OnlineValue | undefined;
          if (row) {
            const id = `${p.entity}\u0000${row.timestamp}`;
            value = distinct.get(id);
            if (!value) distinct.set(id, (value = { timestamp: row.timestamp, values: row.values }));
          }
          (out[p.touch] as Map<string, OnlineValue | undefined>).set(onlineFeatureKey(view.name, p.entity), value);
        });
      }
    }
  } finally {
    await store.close();
  }
  return out;
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
async function assemble(examples: TrainingExample[], events: TrainingEvents, window: number, range: { from: number; to: number }, folder: string): Promise<{ set: TrainingSet; examplesTemp: string }> {
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
      eventLogOffsets: events.offsets, file: EXAMPLES_FILE,
    },
    examples,
  };
  return { set, examplesTemp };
}
