/**
 * Campaign/touch configurations: the categorical choices a planner makes (industry, channel,
 * objective, offer, creative, segment) and the audience attributes the data carries. A condition
 * is one attribute = one value; a success pattern is a conjunction of 1–4 conditions. The same
 * extraction reads a training example and a plan's touch, so a pattern's conditions and a plan's
 * are comparable.
 */
import type { FeatureRecord, FeatureValue, TrainingSet } from '../../features/training-set.ts';

export type ConfigurationRole = 'industry' | 'channel' | 'objective' | 'segment' | 'offer' | 'creative';

/** For each role, the feature names it may come from, in order of preference (the first present wins). */
export const ROLE_FEATURES: Record<ConfigurationRole, string[]> = {
  industry: ['campaign.industry', 'industry'],
  channel: ['campaign.channel', 'touch.channel', 'channel'],
  objective: ['campaign.objective', 'objective'],
  segment: ['audience.segment', 'touch.segment', 'segment'],
  offer: ['campaign.offer', 'campaign.attributes.offer', 'campaign.attr.offer', 'touch.offer', 'offer'],
  creative: ['campaign.creative', 'campaign.attributes.creative', 'campaign.attr.creative', 'touch.creative', 'creative'],
};

export const ROLES = Object.keys(ROLE_FEATURES) as ConfigurationRole[];

/** Audience or campaign/touch attributes with more distinct values than this are not pattern material. */
export const MAX_ATTRIBUTE_VALUES = 32;

/** One attribute a pattern may condition on: a role, or an attribute feature named by its feature. */
export interface MiningAttribute {
  /** The condition key: the role name, or the feature name (e.g. `audience.age_band`). */
  key: string;
  /** The feature it is read from. */
  feature: string;
}

/** The roles' features (first present wins), then categorical audience/campaign/touch attributes of bounded cardinality. */
export function detectMiningAttributes(set: TrainingSet): MiningAttribute[] {
  const categorical = new Set(set.manifest.columns.filter((c) => c.type === 'categorical').map((c) => c.name));
  const probe = set.examples.length <= 5000 ? set.examples : sampleEvenly(set.examples, 5000);
  const values = new Map<string, Set<string>>();
  for (const e of probe) {
    for (const [name, v] of Object.entries(e.features)) {
      if (typeof v !== 'string' || v === '') continue;
      const seen = values.get(name) ?? new Set<string>();
      if (seen.size <= MAX_ATTRIBUTE_VALUES) seen.add(v);
      values.set(name, seen);
    }
  }
  const present = (name: string) => categorical.has(name) || values.has(name);
  const out: MiningAttribute[] = [];
  const used = new Set<string>();
  for (const role of ROLES) {
    const feature = ROLE_FEATURES[role].find(present);
    if (feature === undefined) continue;
    out.push({ key: role, feature });
    used.add(feature);
  }
  // the alternatives a role did not pick (touch.channel beside campaign.channel) are the same choice
  for (const names of Object.values(ROLE_FEATURES)) names.forEach((n) => used.add(n));
  const extra = [...new Set([...categorical, ...values.keys()])]
    .filter((name) => !used.has(name) && /^(audience|campaign|touch)\./.test(name))
    .filter((name) => {
      const n = values.get(name)?.size ?? 0;
      return n >= 2 && n <= MAX_ATTRIBUTE_VALUES;
    })
    .sort();
  for (const feature of extra) out.push({ key: feature, feature });
  return out;
}

function sampleEvenly<T>(items: T[], n: number): T[] {
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)] as T);
}

/** The value of an attribute in a record as a condition value; undefined when missing. */
export function conditionValue(v: FeatureValue | undefined): string | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  return typeof v === 'number' ? (Number.isFinite(v) ? String(v) : undefined) : v;
}

/** A record's configuration: condition key → value, for the attributes it has. */
export function configurationOf(record: FeatureRecord, attributes: readonly MiningAttribute[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of attributes) {
    const v = conditionValue(record[a.feature]);
    if (v !== undefined) out[a.key] = v;
  }
  return out;
}

/** A condition's text form, `key=value` (the unit of the configuration encoder's vocabulary). */
export const conditionText = (key: string, value: string): string => `${key}=${value}`;

/** The keys of frozen condition sets (hits share one frozen object per pattern, search after search). */
const frozenKeys = new WeakMap<Readonly<Record<string, string>>, string>();

/** One text per set of conditions, whatever their order: `key=value` pairs sorted by key, joined by '&'. */
export function conditionsKey(conditions: Record<string, string>): string {
  if (!Object.isFrozen(conditions)) return keyOf(conditions);
  let key = frozenKeys.get(conditions);
  if (key === undefined) frozenKeys.set(conditions, (key = keyOf(conditions)));
  return key;
}

const keyOf = (conditions: Record<string, string>): string => Object.keys(conditions).sort().map((k) => conditionText(k, conditions[k] as string)).join('&');

/** "saas · phone · offer=loyalty_points · segment=loyal": industry and channel by value, the rest as key=value. */
export function describeConditions(conditions: Record<string, string>, attributes?: readonly MiningAttribute[]): string {
  const order = attributes?.map((a) => a.key) ?? [...ROLES];
  const keys = Object.keys(conditions).sort((a, b) => rank(order, a) - rank(order, b) || (a < b ? -1 : 1));
  return keys
    .map((k) => (k === 'industry' || k === 'channel' ? (conditions[k] as string) : `${shortKey(k)}=${conditions[k]}`))
    .join(' · ');
}

const rank = (order: string[], k: string): number => {
  const i = order.indexOf(k);
  return i < 0 ? order.length : i;
};

const shortKey = (k: string): string => k.replace(/^(audience|campaign|touch)\./, '');
