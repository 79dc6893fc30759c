/**
 * Turns touches into model features with one batched online-store read: the keys of every touch
 * are collected (deduplicated), read once, and each touch's record is built by the same function
 * training uses. When the online store does not answer in time, the aggregates are treated as
 * missing (the model has fills for them) and the response says it was degraded.
 *
 * `touchRows` is the hot path: the same values, read positionally in signature order by a reader
 * compiled once per signature and written straight into the model's input tensor (no records).
 *
 * `asOf` (epoch ms) is the time TTLs are checked at: a touch in the past is scored with the values
 * that were still valid at its time (the online store keeps the latest values only).
 */
import type { Metrics } from '../core/metrics.ts';
import type { OnlineKey, OnlineStore, OnlineValue } from '../features/online-store/online-store.ts';
import type { FeatureRecord, FeatureValue } from '../features/training-set.ts';
import { createRowWriter, type RowWriter } from '../models/inference/encode.ts';
import type { InputSignature } from '../models/registry/model-registry.ts';
import type { DependencyGuard } from './dependency-guard.ts';
import type { CampaignInput, FeatureFunctions, TouchInput } from './serving-deps.ts';

export interface TouchRecords {
  records: FeatureRecord[];
  /** Signature features missing from at least one record. */
  missing: string[];
  /** Dependencies that failed and were served around ('online_store'). */
  degraded: string[];
}

/** Touches encoded as the model's input: `rows × signature.inputWidth` floats, row-major. */
export interface TouchRows {
  x: Float32Array;
  rows: number;
  missing: string[];
  degraded: string[];
}

/** A touch with the campaign it belongs to (or would belong to). */
export interface TouchWithCampaign {
  touch: TouchInput;
  campaign: CampaignInput | undefined;
}

/** What reading a touch's features needs: the online store, the feature functions, the store's guard, and metrics for fallbacks. */
export interface TouchFeatureDeps {
  store: OnlineStore;
  features: FeatureFunctions;
  guard: DependencyGuard;
  metrics: Metrics;
}
type Aggregates = Map<string, OnlineValue | undefined>;

export async function touchRecords(items: TouchWithCampaign[], deps: TouchFeatureDeps, signature: InputSignature, asOf?: number): Promise<TouchRecords> {
  const { aggregates, degraded } = await readAggregates(items, deps, asOf);
  const records = items.map((i) => deps.features.touchFeatureRecord(i.touch, i.campaign, aggregates));
  return { records, missing: missingFeatures(records, signature), degraded };
}

interface CompiledRows {
  read: NonNullable<ReturnType<NonNullable<FeatureFunctions['compileTouchFeatureReader']>>>;
  write: RowWriter;
  names: string[];
}
const compiledRows = new WeakMap<InputSignature, CompiledRows>();

function compiledFor(signature: InputSignature, features: FeatureFunctions): CompiledRows {
  let c = compiledRows.get(signature);
  if (c === undefined) {
    const compileReader = features.compileTouchFeatureReader;
    if (!compileReader) throw new Error('touchRows needs features.compileTouchFeatureReader');
    const names = signature.features.map((f) => f.name);
    c = { read: compileReader(names), write: createRowWriter(signature), names };
    compiledRows.set(signature, c);
  }
  return c;
}

/**
 * The encoded input of `items` (identical to encoding touchRecords' records).
 * @throws Error when `deps.features` has no compileTouchFeatureReader (scoreTouches only calls it when it has).
 */
export async function touchRows(items: TouchWithCampaign[], deps: TouchFeatureDeps, signature: InputSignature, asOf?: number): Promise<TouchRows> {
  const c = compiledFor(signature, deps.features);
  const { aggregates, degraded } = await readAggregates(items, deps, asOf);
  const width = signature.inputWidth;
  const x = new Float32Array(items.length * width);
  const n = c.names.length;
  let isMissing: Uint8Array | undefined;
  for (let row = 0; row < items.length; row++) {
    const item = items[row] as TouchWithCampaign;
    const values = c.read(item.touch, item.campaign, aggregates);
    c.write(values, x, row * width);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === null || v === undefined) (isMissing ??= new Uint8Array(n))[i] = 1;
    }
  }
  const missing: string[] = [];
  if (isMissing !== undefined) for (let i = 0; i < n; i++) if (isMissing[i] === 1) missing.push(c.names[i] as string);
  return { x, rows: items.length, missing, degraded };
}

async function readAggregates(items: TouchWithCampaign[], deps: TouchFeatureDeps, asOf: number | undefined): Promise<{ aggregates: Aggregates; degraded: string[] }> {
  const keys = uniqueKeys(items, deps.features);
  const degraded: string[] = [];
  if (keys.length === 0) return { aggregates: new Map(), degraded };
  try {
    const aggregates = await deps.guard.call('read', () => deps.features.getOnlineFeatures(deps.store, keys, asOf));
    return { aggregates, degraded };
  } catch {
    degraded.push('online_store');
    deps.metrics.fallbacks.inc({ kind: 'online_store_missing_features' });
    return { aggregates: new Map(), degraded };
  }
}

/**
 * The online keys of every item without repeats (first occurrence kept, order kept): one touch's
 * handful by pairwise comparison; more (a search's ~50 adapted touches repeat the same few
 * entities) deduplicated per view as they come, with no joined id string per key.
 */
function uniqueKeys(items: TouchWithCampaign[], features: TouchFeatureDeps['features']): OnlineKey[] {
  if (items.length !== 1) return uniquePerView(items.map((item) => features.touchFeatureKeys(item.touch, item.campaign)));
  const only = items[0] as TouchWithCampaign;
  const keys = features.touchFeatureKeys(only.touch, only.campaign);
  if (keys.length < 2) return keys;
  if (keys.length > 32) return uniquePerView([keys]);
  const out: OnlineKey[] = [];
  for (const k of keys) if (!out.some((o) => o.view === k.view && o.entity === k.entity)) out.push(k);
  return out;
}

function uniquePerView(lists: OnlineKey[][]): OnlineKey[] {
  const out: OnlineKey[] = [];
  const seen = new Map<string, Set<string>>();
  for (const keys of lists) {
    for (const k of keys) {
      let entities = seen.get(k.view);
      if (entities === undefined) seen.set(k.view, (entities = new Set()));
      if (entities.has(k.entity)) continue;
      entities.add(k.entity);
      out.push(k);
    }
  }
  return out;
}

function missingFeatures(records: FeatureRecord[], signature: InputSignature): string[] {
  const missing: string[] = [];
  for (const f of signature.features) {
    const name = f.name;
    for (const r of records) {
      const v: FeatureValue | undefined = r[name];
      if (v === null || v === undefined) { missing.push(name); break; }
    }
  }
  return missing;
}
