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

type RecordDeps = { store: OnlineStore; features: FeatureFunctions; guard: DependencyGuard; metrics: Metrics };
type Aggregates = Map<string, OnlineValue | undefined>;

export async function touchRecords(items: TouchWithCampaign[], deps: RecordDeps, signature: InputSignature, asOf?: number): Promise<TouchRecords> {
  const { aggregates, degraded } = await readAggregates(items, deps, asOf);
  const records = items.map((i) => deps.features.touchFeatureRecord(i.touch, i.campaign, aggregates));
  return { records, missing: missingFeatures(records, signature), degraded };
}

/** Whether `touchRows` can serve these deps (the real feature functions have a compiled reader). */
export const canEncodeRows = (features: FeatureFunctions): boolean => features.compileTouchFeatureReader !== undefined;

interface CompiledRows {
  read: NonNullable<ReturnType<NonNullable<FeatureFunctions['compileTouchFeatureReader']>>>;
  write: RowWriter;
}
const compiledRows = new WeakMap<InputSignature, CompiledRows>();

/** The encoded input of `items` (identical to encoding touchRecords' records). Needs canEncodeRows(deps.features). */
export async function touchRows(items: TouchWithCampaign[], deps: RecordDeps, signature: InputSignature, asOf?: number): Promise<TouchRows> {
  let c = compiledRows.get(signature);
  if (c === undefined) {
    const compileReader = deps.features.compileTouchFeatureReader;
    if (!compileReader) throw new Error('touchRows needs features.compileTouchFeatureReader');
    c = { read: compileReader(signature.features.map((f) => f.name)), write: createRowWriter(signature) };
    compiledRows.set(signature, c);
  }
  const { aggregates, degraded } = await readAggregates(items, deps, asOf);
  const width = signature.inputWidth;
  const x = new Float32Array(items.length * width);
  const isMissing = new Array<boolean>(signature.features.length).fill(false);
  items.forEach((item, row) => {
    const values = c.read(item.touch, item.campaign, aggregates);
    c.write(values, x, row * width);
    for (let i = 0; i < values.length; i++) if (values[i] === null || values[i] === undefined) isMissing[i] = true;
  });
  const missing = signature.features.filter((_, i) => isMissing[i]).map((f) => f.name);
  return { x, rows: items.length, missing, degraded };
}

async function readAggregates(items: TouchWithCampaign[], deps: RecordDeps, asOf: number | undefined): Promise<{ aggregates: Aggregates; degraded: string[] }> {
  const keys = uniqueKeys(items.flatMap((i) => deps.features.touchFeatureKeys(i.touch, i.campaign)));
  let aggregates: Aggregates = new Map();
  const degraded: string[] = [];
  if (keys.length > 0) {
    try {
      aggregates = await deps.guard.call('read', () => deps.features.getOnlineFeatures(deps.store, keys, asOf));
    } catch {
      degraded.push('online_store');
      deps.metrics.fallbacks.inc({ kind: 'online_store_missing_features' });
    }
  }
  return { aggregates, degraded };
}

function uniqueKeys(keys: OnlineKey[]): OnlineKey[] {
  const seen = new Set<string>();
  return keys.filter((k) => {
    const id = `${k.view}\u0000${k.entity}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
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
