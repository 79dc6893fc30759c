/**
 * Turns touches into model features with one batched online-store read: the keys of every touch
 * are collected (deduplicated), read once, and each touch's record is built by the same function
 * training uses. When the online store does not answer in time, the aggregates are treated as
 * missing (the model has fills for them) and the response says it was degraded.
 *
 * `asOf` (epoch ms) is the time TTLs are checked at: a touch in the past is scored with the values
 * that were still valid at its time (the online store keeps the latest values only).
 */
import type { Metrics } from '../core/metrics.ts';
import type { OnlineKey, OnlineStore, OnlineValue } from '../features/online-store/online-store.ts';
import type { FeatureRecord } from '../features/training-set.ts';
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

/** A touch with the campaign it belongs to (or would belong to). */
export interface TouchWithCampaign {
  touch: TouchInput;
  campaign: CampaignInput | undefined;
}

export async function touchRecords(
  items: TouchWithCampaign[],
  deps: { store: OnlineStore; features: FeatureFunctions; guard: DependencyGuard; metrics: Metrics },
  signature: InputSignature,
  asOf?: number,
): Promise<TouchRecords> {
  const keys = uniqueKeys(items.flatMap((i) => deps.features.touchFeatureKeys(i.touch, i.campaign)));
  let aggregates = new Map<string, OnlineValue | undefined>();
  const degraded: string[] = [];
  if (keys.length > 0) {
    try {
      aggregates = await deps.guard.call('read', () => deps.features.getOnlineFeatures(deps.store, keys, asOf));
    } catch {
      degraded.push('online_store');
      deps.metrics.fallbacks.inc({ kind: 'online_store_missing_features' });
    }
  }
  const records = items.map((i) => deps.features.touchFeatureRecord(i.touch, i.campaign, aggregates));
  return { records, missing: missingFeatures(records, signature), degraded };
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
      const v = r[name];
      if (v === null || v === undefined) { missing.push(name); break; }
    }
  }
  return missing;
}
