/** Batched online feature reads, keyed as touchFeatureRecord expects. */
import type { OnlineKey, OnlineStore, OnlineValue } from './online-store/online-store.ts';

/** Map key of a (view, entity) pair: `<view>:<entity>` (view names never contain ':'). */
export function onlineFeatureKey(view: string, entity: string): string {
  return `${view}:${entity}`;
}

/**
 * Reads many keys in one round trip (duplicates read once).
 * @param now - epoch ms for TTL checks (default Date.now()).
 * @returns values by onlineFeatureKey; undefined = missing or expired.
 * @throws ALMANAC_ERR_STORE_UNAVAILABLE from the store (retriable)
 */
export async function getOnlineFeatures(store: OnlineStore, keys: OnlineKey[], now?: number): Promise<Map<string, OnlineValue | undefined>> {
  const unique = new Map<string, OnlineKey>();
  for (const k of keys) unique.set(onlineFeatureKey(k.view, k.entity), k);
  const list = [...unique.values()];
  const values = list.length === 0 ? [] : await store.read(list, now);
  return new Map(list.map((k, i) => [onlineFeatureKey(k.view, k.entity), values[i]]));
}
