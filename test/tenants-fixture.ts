/**
 * Registers the tenants a test's events need — what an admin does before events flow (`almanac
 * clients register`, or a `client` event through `almanac ingest`): every client id seen, and
 * every campaign id claimed by the first client that mentions it.
 */
import type { AlmanacConfig } from '../core/config.ts';
import { withTenantStore } from '../core/tenants/create-tenant-store.ts';

interface OwnedEvent {
  client_id: string;
  campaign_id?: string;
}

export async function registerOwners(config: AlmanacConfig, owners: Record<string, string[]>): Promise<void> {
  await withTenantStore(config, async (store) => {
    for (const [client, campaigns] of Object.entries(owners)) {
      await store.registerClient(client, 'test');
      if (campaigns.length > 0) await store.claimCampaigns(client, campaigns);
    }
  });
}

export async function registerOwnersOf(config: AlmanacConfig, events: readonly OwnedEvent[]): Promise<void> {
  const owners: Record<string, string[]> = {};
  const claimed = new Set<string>();
  for (const e of events) {
    const list = (owners[e.client_id] ??= []);
    if (e.campaign_id !== undefined && !claimed.has(e.campaign_id)) {
      claimed.add(e.campaign_id);
      list.push(e.campaign_id);
    }
  }
  await registerOwners(config, owners);
}
