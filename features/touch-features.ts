/**
 * THE one place a touch (+ its campaign + aggregate rows) becomes model features, used identically
 * by training-set building and by serving (train/serve consistency).
 *
 * Names: `audience.segment`, `audience.<attr>`, `touch.channel`, `touch.<attr>`, `campaign.industry`,
 * `campaign.channel`, `campaign.objective`, `campaign.budget`, `campaign.duration_days`,
 * `campaign.days_since_start`, `campaign.<attr>`, `time.hour`, `time.day_of_week`, `time.month`
 * (UTC), and `<view>.<feature>` for every feature of every view (e.g. `client_activity.conversion_rate_7d`).
 * Missing values are null; booleans become 1/0.
 */
import type { OnlineKey, OnlineValue } from './online-store/online-store.ts';
import { featureNames } from './feature-view.ts';
import { recordMaker } from './feature-record-shape.ts';
import { onlineFeatureKey } from './online-features.ts';
import type { FeatureRecord, FeatureValue } from './training-set.ts';
import { industryChannelKey } from './views/industry-channel-performance.ts';
import { FEATURE_VIEWS } from './views/index.ts';

type Scalar = string | number | boolean | null;

export interface TouchInput {
  client_id: string;
  campaign_id?: string;
  /** Touch time, epoch ms. */
  ts: number;
  channel?: string;
  audience: { segment: string; [key: string]: Scalar };
  attributes: Record<string, Scalar>;
}

export interface CampaignInput {
  industry: string;
  objective: string;
  channel: string;
  budget: number;
  /** Epoch ms. */
  start: number;
  end: number;
  attributes: Record<string, Scalar>;
}

const DAY_MS = 86_400_000;

/** The entity of each view for a touch; undefined when the view does not apply (mirrors the views' entityKey). */
const VIEW_ENTITY: Record<string, (t: TouchInput, c: CampaignInput | undefined) => string | undefined> = {
  client_activity: (t) => t.client_id,
  campaign_performance: (t) => t.campaign_id,
  industry_performance: (_t, c) => c?.industry,
  channel_performance: (t, c) => t.channel ?? c?.channel,
  segment_performance: (t) => t.audience.segment,
  industry_channel_performance: (t, c) => {
    const channel = t.channel ?? c?.channel;
    return c === undefined || channel === undefined ? undefined : industryChannelKey(c.industry, channel);
  },
};

/** The entity of `view` a touch's features read (undefined when the view does not apply to it). */
export function viewEntity(view: string, touch: TouchInput, campaign: CampaignInput | undefined): string | undefined {
  return VIEW_ENTITY[view]?.(touch, campaign);
}

/** The online-store rows a touch's features need (one per applicable view). */
export function touchFeatureKeys(touch: TouchInput, campaign: CampaignInput | undefined): OnlineKey[] {
  const keys: OnlineKey[] = [];
  for (const [view, entityOf] of VIEW_ENTITIES) {
    const entity = entityOf?.(touch, campaign);
    if (entity !== undefined) keys.push({ view, entity });
  }
  return keys;
}

/** Each view's name with its entity function (FEATURE_VIEWS order). */
const VIEW_ENTITIES = FEATURE_VIEWS.map((v) => [v.name, VIEW_ENTITY[v.name]] as const);

/** Each view's features with their record names (`<view>.<feature>`), computed once. */
const VIEW_COLUMNS = FEATURE_VIEWS.map((v) => ({ name: v.name, features: featureNames(v).map((f) => [f, `${v.name}.${f}`] as const) }));

/** Every `<view>.<feature>` name touchFeatureRecord emits (always numeric or null), in emission order. */
export const VIEW_FEATURE_NAMES: readonly string[] = VIEW_COLUMNS.flatMap((v) => v.features.map(([, column]) => column));

/** The record names touchFeatureRecord always emits, in order: the fixed ones, then every view feature. */
const FIXED_NAMES = ['audience.segment', 'touch.channel', 'campaign.industry', 'campaign.channel', 'campaign.objective', 'campaign.budget',
  'campaign.duration_days', 'campaign.days_since_start', 'time.hour', 'time.day_of_week', 'time.month', ...VIEW_FEATURE_NAMES] as const;
const makeFixedRecord = recordMaker(FIXED_NAMES);

const scalar = (v: Scalar | undefined): FeatureValue => (v === undefined || v === null ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v);

function put(record: FeatureRecord, prefix: string, attributes: Record<string, Scalar>): void {
  for (const k of Object.keys(attributes).sort()) {
    const name = `${prefix}.${k}`;
    if (!(name in record)) record[name] = scalar(attributes[k]);
  }
}

/**
 * Features of one touch.
 * @param aggregates - online values keyed by `onlineFeatureKey(view, entity)` (as getOnlineFeatures returns them);
 *   the caller applies the as-of time and TTL (online read `now`, or the training set's ASOF join).
 */
export function touchFeatureRecord(touch: TouchInput, campaign: CampaignInput | undefined, aggregates: Map<string, OnlineValue | undefined>): FeatureRecord {
  const d = new Date(touch.ts);
  // the fixed names, then every view feature, in FIXED_NAMES order: one shape for every record
  const values: FeatureValue[] = [
    touch.audience.segment,
    touch.channel ?? campaign?.channel ?? null,
    campaign?.industry ?? null,
    campaign?.channel ?? null,
    campaign?.objective ?? null,
    campaign?.budget ?? null,
    campaign ? (campaign.end - campaign.start) / DAY_MS : null,
    campaign ? (touch.ts - campaign.start) / DAY_MS : null,
    d.getUTCHours(),
    d.getUTCDay(),
    d.getUTCMonth() + 1,
  ];
  for (const { name, features } of VIEW_COLUMNS) {
    const entity = VIEW_ENTITY[name]?.(touch, campaign);
    const row = entity === undefined ? undefined : aggregates.get(onlineFeatureKey(name, entity));
    for (const [f] of features) {
      const v = row?.values[f];
      values.push(typeof v === 'number' && Number.isFinite(v) ? v : null);
    }
  }
  const r = makeFixedRecord(values);
  const { segment: _segment, ...audience } = touch.audience;
  put(r, 'audience', audience);
  put(r, 'touch', touch.attributes);
  if (campaign) put(r, 'campaign', campaign.attributes);
  return r;
}

/** Reads the values of chosen feature names of one touch, positionally (see compileTouchFeatureReader). */
export type TouchFeatureReader = (touch: TouchInput, campaign: CampaignInput | undefined, aggregates: Map<string, OnlineValue | undefined>) => (FeatureValue | undefined)[];

type Read = (touch: TouchInput, campaign: CampaignInput | undefined, rows: (OnlineValue | undefined)[], d: Date) => FeatureValue | undefined;

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** The fixed (non-attribute) names of touchFeatureRecord; they shadow attributes of the same name. */
const FIXED: Record<string, Read> = {
  'audience.segment': (t) => t.audience.segment,
  'touch.channel': (t, c) => t.channel ?? c?.channel ?? null,
  'campaign.industry': (_t, c) => c?.industry ?? null,
  'campaign.channel': (_t, c) => c?.channel ?? null,
  'campaign.objective': (_t, c) => c?.objective ?? null,
  'campaign.budget': (_t, c) => c?.budget ?? null,
  'campaign.duration_days': (_t, c) => (c ? (c.end - c.start) / DAY_MS : null),
  'campaign.days_since_start': (t, c) => (c ? (t.ts - c.start) / DAY_MS : null),
  'time.hour': (_t, _c, _r, d) => d.getUTCHours(),
  'time.day_of_week': (_t, _c, _r, d) => d.getUTCDay(),
  'time.month': (_t, _c, _r, d) => d.getUTCMonth() + 1,
};

/** How one name is read: a fixed field, a view feature, an attribute of the touch's audience, touch or campaign, or nothing. */
type NameRead =
  | { kind: 'fixed'; read: Read }
  | { kind: 'view'; view: number; key: string }
  | { kind: 'audience' | 'touch' | 'campaign'; key: string }
  | { kind: 'none' };

function nameRead(name: string): NameRead {
  const fixed = FIXED[name];
  if (fixed) return { kind: 'fixed', read: fixed };
  const dot = name.indexOf('.');
  const prefix = name.slice(0, dot);
  const key = name.slice(dot + 1);
  const view = VIEW_COLUMNS.findIndex((v) => v.name === prefix);
  if (dot > 0 && view >= 0) {
    if (!VIEW_COLUMNS[view]?.features.some(([f]) => f === key)) return { kind: 'none' };
    return { kind: 'view', view, key };
  }
  if ((prefix === 'audience' || prefix === 'touch' || prefix === 'campaign') && dot > 0) return { kind: prefix, key };
  return { kind: 'none' };
}

/**
 * Compiles, once per name list (a model's signature), a reader giving `touchFeatureRecord(...)[name]`
 * for each name in order (undefined where the record has no such field) without building the
 * record — the serving hot path; touchFeatureRecord stays the reference (tests compare both).
 */
export function compileTouchFeatureReader(names: readonly string[]): TouchFeatureReader {
  const read = compileTouchFeatureRowReader(names);
  const views = VIEW_COLUMNS.map(({ name }) => ({ name, entity: VIEW_ENTITY[name] }));
  return (touch, campaign, aggregates) => {
    const rows = new Array<OnlineValue | undefined>(views.length);
    for (let i = 0; i < views.length; i++) {
      const { name, entity: entityOf } = views[i] as (typeof views)[number];
      const entity = entityOf?.(touch, campaign);
      rows[i] = entity === undefined ? undefined : aggregates.get(onlineFeatureKey(name, entity));
    }
    return read(touch, campaign, rows);
  };
}

/**
 * The same reader over the touch's view rows given positionally, one per FEATURE_VIEWS entry
 * (undefined = the view does not apply to the touch, or no row): for a caller that has joined the
 * rows per view already (the training-set build), with no keyed map to fill per touch.
 *
 * The reader is generated once per name list (as feature-record-shape.ts makes record shapes), one
 * statement per name with the name's keys as literals: each view feature and attribute is a
 * property read with its own inline cache, not a closure call doing a keyed lookup.
 */
export function compileTouchFeatureRowReader(names: readonly string[]): (touch: TouchInput, campaign: CampaignInput | undefined, rows: (OnlineValue | undefined)[]) => (FeatureValue | undefined)[] {
  const plan = names.map(nameRead);
  const fixed: Read[] = [];
  const lines = plan.map((r, i) => {
    switch (r.kind) {
      case 'fixed': return `out[${i}] = F[${fixed.push(r.read) - 1}](t, c, rows, d);`;
      case 'view': return `x = rows[${r.view}]?.values[${JSON.stringify(r.key)}]; out[${i}] = typeof x === 'number' && Number.isFinite(x) ? x : null;`;
      case 'audience': return `out[${i}] = own(t.audience, ${JSON.stringify(r.key)}) ? scalar(t.audience[${JSON.stringify(r.key)}]) : undefined;`;
      case 'touch': return `out[${i}] = own(t.attributes, ${JSON.stringify(r.key)}) ? scalar(t.attributes[${JSON.stringify(r.key)}]) : undefined;`;
      case 'campaign': return `out[${i}] = c && own(c.attributes, ${JSON.stringify(r.key)}) ? scalar(c.attributes[${JSON.stringify(r.key)}]) : undefined;`;
      default: return `out[${i}] = undefined;`;
    }
  });
  const body = `return function readTouchRow(t, c, rows) {
  const d = new Date(t.ts);
  const out = new Array(${names.length});
  let x;
${lines.join('\n')}
  return out;
};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated once per name list; names enter only as JSON string literals
  return new Function('F', 'own', 'scalar', body)(fixed, own, scalar) as ReturnType<typeof compileTouchFeatureRowReader>;
}

/** Where a feature comes from: 'touch', 'campaign' or 'view:<name>' (for training-set manifests). */
export function featureSource(name: string): string {
  const prefix = name.slice(0, name.indexOf('.'));
  if (prefix === 'campaign') return 'campaign';
  if (FEATURE_VIEWS.some((v) => v.name === prefix)) return `view:${prefix}`;
  return 'touch';
}
