/**
 * Campaign and client lookups for serving, cached briefly (hits and misses alike) so that a hot
 * path pays the online-store round trip for its aggregates only.
 */
import { LRUCache } from 'lru-cache';
import { notFound } from '../core/errors.ts';
import type { OnlineStore } from '../features/online-store/online-store.ts';
import type { DependencyGuard } from './dependency-guard.ts';
import type { CampaignProfile, FeatureFunctions } from './serving-deps.ts';

const MISSING = Symbol('missing');

export class DirectoryCache {
  private readonly campaigns: LRUCache<string, CampaignProfile | typeof MISSING>;
  private readonly clients: LRUCache<string, boolean>;

  constructor(
    private readonly store: OnlineStore,
    private readonly features: FeatureFunctions,
    private readonly guard: DependencyGuard,
    ttlMs = 5_000,
    max = 50_000,
  ) {
    this.campaigns = new LRUCache({ max, ttl: ttlMs });
    this.clients = new LRUCache({ max, ttl: ttlMs });
  }

  /** The campaign, checked to belong to `clientId`. @throws ALMANAC_ERR_INPUT_NOT_FOUND */
  async campaign(clientId: string, campaignId: string): Promise<CampaignProfile> {
    let hit = this.campaigns.get(campaignId);
    if (hit === undefined) {
      const found = await this.guard.call('lookup_campaigns', () => this.features.lookupCampaigns(this.store, [campaignId]));
      hit = found.get(campaignId) ?? MISSING;
      this.campaigns.set(campaignId, hit);
    }
    // unknown and another client's campaign: one answer, so ownership cannot be probed
    if (hit === MISSING || hit.client_id !== clientId) throw notFound('campaign', campaignId);
    return hit;
  }

  /** @throws ALMANAC_ERR_INPUT_NOT_FOUND when the client is unknown. */
  async requireClient(clientId: string): Promise<void> {
    let known = this.clients.get(clientId);
    if (known === undefined) {
      const found = await this.guard.call('lookup_clients', () => this.features.lookupClients(this.store, [clientId]));
      known = found.has(clientId);
      this.clients.set(clientId, known);
    }
    if (!known) throw notFound('client', clientId);
  }
}
