/**
 * Point-in-time-correct training sets: one row per touch whose attribution window has closed
 * (ts + window ≤ the latest event time in the log); features = touchFeatureRecord(touch, the campaign
 * as of ts, each view's latest final row with timestamp ≤ ts and within its TTL — the offline
 * store's point-in-time join, `asOf`); label = 1 iff a conversion for the touch has ts in [touch.ts, touch.ts + window].
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { homePath, type AlmanacConfig } from '../core/config.ts';
import { invalidInput } from '../core/errors.ts';
import { createProgress } from '../core/progress.ts';
import { createEventLog } from '../pipelines/event-log/create-event-log.ts';
import type { FeatureRow } from './feature-view.ts';
import { FeatureValuePool } from './feature-value-pool.ts';
import type { OnlineValue } from './online-store/online-store.ts';
import { createOfflineStore } from './offline-store/create-offline-store.ts';
import type { AsOfProbe, OfflineStore } from './offline-store/offline-store.ts';
import { compileTouchFeatureRowReader, featureSource, touchFeatureRecord, VIEW_FEATURE_NAMES, viewEntity } from './touch-features.ts';
import { commitTrainingSet, markLatest, writeLinesToTemp, EXAMPLES_FILE } from './training-set-file.ts';
import { recordMaker } from './feature-record-shape.ts';
import type { FeatureColumn, FeatureValue, TrainingExample, TrainingSet } from './training-set.ts';
import { conversionKey, readTrainingEvents, type TouchDays, type TrainingEvents, type TouchAsOf } from './training-events.ts';
import { checkRowBound, holdRate, inSample, touchIdSample } from './training-set-sample.ts';
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
  /**
   * Hold at most about this many examples in memory: a set with more rows is returned with a
   * touch-id-hash sample of them (TrainingSet.sample; features/training-set-sample.ts), the whole
   * set on disk. Default: `config.training.holdRows` (ALMANAC_TRAINING_HOLD_ROWS).
   */
  holdRows?: number;
}

export const DEFAULT_ATTRIBUTION_WINDOW_MS = 7 * 86_400_000;

/**
 * Builds the set in one pass over the log and two over its touches, a day at a time: the log's
 * touches are spilled to day files (training-events.ts), a first pass over the days finds the
 * columns (and the rows), a second builds each day's examples (point-in-time join, labels) and
 * writes them. Memory grows with a day of touches, the campaigns and the conversions, and with
 * the examples held (all, or `holdRows` of them), not with the log.
 */
export async function buildTrainingSet(config: AlmanacConfig, options: BuildTrainingSetOptions = {}): Promise<{ dir: string; set: TrainingSet }> {
  const window = options.attributionWindowMs ?? DEFAULT_ATTRIBUTION_WINDOW_MS;
  if (!Number.isInteger(window) || window <= 0) throw invalidInput(`attribution window must be a positive number of ms, got ${window}`, [{ path: 'attributionWindowMs', reason: 'must be > 0' }]);
  if (options.holdRows !== undefined) checkRowBound(options.holdRows, 'holdRows');
  if (options.from !== undefined && options.to !== undefined && options.from >= options.to) {
    throw invalidInput(`--from must be before --to (got ${new Date(options.from).toISOString()} ≥ ${new Date(options.to).toISOString()})`, [{ path: 'from', reason: 'must be before to' }]);
  }
  // the examples file is written (and hashed) line by line beside where the set goes, then moved in
  const folder = options.out === undefined ? homePath(config, 'training-sets') : path.dirname(path.resolve(options.out));
  await mkdir(folder, { recursive: true });
  await removeStaleSpills(folder);
  const spillDir = await mkdtemp(path.join(folder, `${SPILL_PREFIX}${process.pid}-`));
  try {
    const log = await createEventLog(config);
    const admission = await LogAdmission.open(config);
    let events: TrainingEvents;
    try {
      events = await readTrainingEvents(log, admission, spillDir);
    } finally {
      await log.close();
      await admission.close();
    }
    const progress = createProgress({ label: 'training set', total: events.days.touches * 2, unit: 'touches', quiet: options.quiet });
    const closed = (t: TouchAsOf) => t.ts >= (options.from ?? -Infinity) && t.ts < (options.to ?? Infinity) && t.ts + window <= events.maxTs;
    const shape = await setShape(events.days, closed, (n) => progress.update(n));
    const range = { from: options.from ?? shape.first ?? 0, to: options.to ?? (shape.last === undefined ? 0 : shape.last + 1) };
    const rate = holdRate(shape.rows, options.holdRows ?? config.training.holdRows);
    const { set, examplesTemp } = await assemble(config, events, closed, shape, window, range, folder, rate, (n) => progress.update(events.days.touches + n));
    const dir = path.resolve(options.out ?? homePath(config, 'training-sets', set.manifest.id));
    await commitTrainingSet(dir, set, examplesTemp);
    await markLatest(config, dir);
    progress.done(`${set.manifest.rows} rows, ${set.manifest.positives} positives${set.sample ? ` (${set.sample.rows} held)` : ''} → ${dir}`);
    return { dir, set: { ...set, dir } };
  } finally {
    await rm(spillDir, { recursive: true, force: true });
  }
}

const SPILL_PREFIX = '.touches-';

/**
 * Removes the spill folders (`.touches-<pid>-*`) of builds whose process is gone (killed before
 * its own cleanup ran); a folder of a live process is another build's, left alone.
 */
async function removeStaleSpills(folder: string): Promise<void> {
  for (const name of await readdir(folder).catch(() => [] as string[])) {
    if (!name.startsWith(SPILL_PREFIX)) continue;
    const pid = Number(name.slice(SPILL_PREFIX.length).split('-')[0]);
    // this process's own (another build running here), or a live process's
    if (pid === process.pid || (Number.isInteger(pid) && pid > 0 && processAlive(pid))) continue;
    await rm(path.join(folder, name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type TouchFeatureRowReader = ReturnType<typeof compileTouchFeatureRowReader>;

/** One labelled touch: its ids and label, and its feature values in the set's column order (undefined = absent). */
interface LabelledRow {
  touch: TouchAsOf;
  label: 0 | 1;
  values: (FeatureValue | undefined)[];
}

/**
 * The labelled rows of one day's closed touches, in touch-time order. Values are read positionally
 * in column order from the joined view rows (compileTouchFeatureRowReader: the same values as
 * touchFeatureRecord, which the first pass used for the columns, without building a record per touch).
 */
async function rowsOfDay(store: OfflineStore, touches: TouchAsOf[], conversions: TrainingEvents['conversions'], window: number, read: TouchFeatureRowReader): Promise<LabelledRow[]> {
  const rows = await rowsAsOf(store, touches);
  return touches.map((t, i): LabelledRow => ({
    touch: t,
    label: (conversions.get(conversionKey(t.client_id, t.touch_id)) ?? []).some((c) => c >= t.ts && c <= t.ts + window) ? 1 : 0,
    values: read(t, t.campaign, rows.map((view) => view[i])),
  }));
}

/** Probes per point-in-time join query. */
const AS_OF_CHUNK = 16_384;

/**
 * For each view (FEATURE_VIEWS order), each touch's row as of the touch time: one array per view,
 * aligned with `touches` (undefined = the view does not apply, or no row within its TTL). The probes
 * are gathered and joined a chunk at a time, so that neither they nor the join's result (in DuckDB
 * and as JS columns) grow with the log.
 */
async function rowsAsOf(store: OfflineStore, touches: TouchAsOf[]): Promise<(OnlineValue | undefined)[][]> {
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
}

const VIEW_FEATURES = new Set(VIEW_FEATURE_NAMES);

interface SetShape {
  columns: FeatureColumn[];
  rows: number;
  first: number | undefined;
  last: number | undefined;
}

/**
 * The first pass over the days: the set's rows, touch-time range and columns, in order of first
 * appearance; view features are numeric by declaration, the others (touch, audience, campaign
 * attributes) are categorical as soon as one value is a string. A record's names and non-view
 * values do not depend on the view rows, so none are joined here.
 */
async function setShape(days: TouchDays, closed: (t: TouchAsOf) => boolean, onTouches: (n: number) => void): Promise<SetShape> {
  const types = new Map<string, 'numeric' | 'categorical'>();
  const none = new Map<string, OnlineValue | undefined>();
  let rows = 0;
  let read = 0;
  let first: number | undefined;
  let last: number | undefined;
  for (const day of days.list) {
    for (const t of await days.read(day.file)) {
      if (!closed(t)) continue;
      rows++;
      first ??= t.ts;
      last = t.ts;
      const features = touchFeatureRecord(t, t.campaign, none);
      for (const name in features) {
        if (VIEW_FEATURES.has(name)) {
          if (!types.has(name)) types.set(name, 'numeric');
          continue;
        }
        if (typeof features[name] === 'string') types.set(name, 'categorical');
        else if (!types.has(name)) types.set(name, 'numeric');
      }
    }
    onTouches((read += day.touches));
  }
  return { columns: [...types].map(([name, type]) => ({ name, type, source: featureSource(name) })), rows, first, last };
}

/**
 * The second pass: each day's examples, written to a temp file in `folder` as they are built and
 * hashed line by line; the set's id = hash of the header and of the exact lines written. The
 * examples held are all of them, or those in the touch-id-hash sample at `rate`.
 */
async function assemble(config: AlmanacConfig, events: TrainingEvents, closed: (t: TouchAsOf) => boolean, shape: SetShape, window: number, range: { from: number; to: number },
  folder: string, rate: number, onTouches: (n: number) => void): Promise<{ set: TrainingSet; examplesTemp: string }> {
  const { columns } = shape;
  const featureViews = FEATURE_VIEWS.map((v) => ({ name: v.name, version: v.version }));
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ window, range, columns, featureViews }));
  const held: TrainingExample[] = [];
  // the records share their numbers (feature-value-pool.ts): the set is the biggest thing training holds
  const pool = new FeatureValuePool();
  const names = columns.map((c) => c.name);
  const read = compileTouchFeatureRowReader(names);
  const makeRecord = recordMaker(names);
  let positives = 0;
  let rows = 0;
  const store = await createOfflineStore(config);
  let examplesTemp: string;
  try {
    examplesTemp = await writeLinesToTemp(folder, (async function* () {
      let done = 0;
      for (const day of events.days.list) {
        const touches = (await events.days.read(day.file)).filter(closed);
        for (const { touch: t, label, values } of await rowsOfDay(store, touches, events.conversions, window, read)) {
          // the line exampleLine writes: [touch_id, client_id, campaign_id, ts, label, ...values], null = absent
          const cells: unknown[] = [t.touch_id, t.client_id, t.campaign_id, t.ts, label];
          for (let i = 0; i < values.length; i++) {
            const v = values[i] ?? null;
            values[i] = v;
            cells.push(v);
          }
          const line = JSON.stringify(cells);
          hash.update(line).update('\n');
          rows++;
          positives += label;
          // only the records held share their numbers: pooling the others would fill the pool for nothing
          if (inSample(t.touch_id, rate)) {
            for (let i = 0; i < values.length; i++) values[i] = pool.value(values[i] as FeatureValue);
            held.push({ touch_id: t.touch_id, client_id: t.client_id, campaign_id: t.campaign_id, ts: t.ts, label, features: makeRecord(values as FeatureValue[]) });
          }
          yield line;
        }
        onTouches((done += day.touches));
      }
    })());
  } finally {
    await store.close();
  }
  const id = `ts-${hash.digest('hex').slice(0, 16)}`;
  const set: TrainingSet = {
    manifest: {
      id, createdAt: new Date().toISOString(), range, rows, positives, attributionWindowMs: window, columns, featureViews,
      eventLogOffsets: events.offsets, file: EXAMPLES_FILE,
    },
    examples: held,
    ...(rate < 1 ? { sample: touchIdSample(rate, held.length, rows) } : {}),
  };
  return { set, examplesTemp };
}
