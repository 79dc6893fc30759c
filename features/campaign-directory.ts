/**
 * Known campaigns and clients, from the profiles the stream job keeps in the online store
 * (views 'campaign_profile' and 'client_profile'; the latest event per id wins).
 */
import type { OnlineStore, OnlineValue } from './online-store/online-store.ts';
import type { CampaignInput } from './touch-features.ts';
import { CAMPAIGN_PROFILE_VIEW, CLIENT_PROFILE_VIEW } from './views/index.ts';

export type CampaignProfile = CampaignInput & { client_id: string };

/** The campaign fields of a 'campaign_profile' online value. */
export function campaignFromProfile(v: OnlineValue): CampaignProfile {
  const x = v.values;
  let attributes: CampaignInput['attributes'] = {};
  try {
    attributes = JSON.parse(String(x.attributes ?? '{}')) as CampaignInput['attributes'];
  } catch {
    attributes = {};
  }
  return {
    client_id: String(x.client_id), industry: String(x.industry), objective: String(x.objective), channel: String(x.channel),
    budget: Number(x.budget), start: Number(x.start), end: Number(x.end), attributes,
  };
}

/**
 * Campaign profiles by id; unknown ids are absent from the map.
 * @throws ALMANAC_ERR_STORE_UNAVAILABLE from the store (retriable)
 */
export async function lookupCampaigns(store: OnlineStore, campaignIds: string[]): Promise<Map<string, CampaignProfile>> {
  const ids = [...new Set(campaignIds)];
  if (ids.length === 0) return new Map();
  const values = await store.read(ids.map((entity) => ({ view: CAMPAIGN_PROFILE_VIEW, entity })));
  const out = new Map<string, CampaignProfile>();
  ids.forEach((id, i) => {
    const v = values[i];
    if (v) out.set(id, campaignFromProfile(v));
  });
  return out;
}

/** The ids among `clientIds` that have a client profile. @throws ALMANAC_ERR_STORE_UNAVAILABLE (retriable) */
export async function lookupClients(store: OnlineStore, clientIds: string[]): Promise<Set<string>> {
  const ids = [...new Set(clientIds)];
  if (ids.length === 0) return new Set();
  const values = await store.read(ids.map((entity) => ({ view: CLIENT_PROFILE_VIEW, entity })));
  return new Set(ids.filter((_, i) => values[i] !== undefined));
}
