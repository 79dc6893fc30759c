/**
 * THE ownership rule for events, applied by every path an event takes: POST /v1/events and
 * `almanac ingest` (before the append, so rejections are reported to the sender) and the stream
 * job, the backfill and the training-set reader (for whatever reached the log another way, e.g.
 * produced straight to Kafka). In order, per event:
 *
 * 1. The actor must act for the event's client (its own tenant, an ingest key listing it, admin).
 * 2. The client must be registered; a `client` event from an actor that may register it
 *    (admin, ingest key listing it; the log path never does) registers it.
 * 3. A `campaign` event claims its campaign_id: the first client to claim an id owns it forever;
 *    a campaign event of another client for it is rejected.
 * 4. A `touch` or `outcome` must refer to a campaign owned by its own client (unknown and another
 *    client's campaign give the same reason).
 *
 * Owners and registrations never change once made, so this process caches them for good.
 */
import type { AlmanacEvent } from '../domain/event.ts';
import { actsFor, mayRegister, type Principal } from './principal.ts';
import type { TenantStore } from './tenant-store.ts';

export const REJECTION_REASONS = ['not_your_client', 'unregistered_client', 'campaign_taken', 'unknown_campaign'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface EventRejection {
  index: number;
  path: string;
  reason: string;
  code: RejectionReason;
}

export interface Admission {
  admitted: AlmanacEvent[];
  /** Positions (in the input) of the admitted events. */
  admittedIndex: number[];
  rejected: EventRejection[];
}

/** Who sends: a key or the operator (register = whether client events register clients), or the log (never registers). */
export type Actor = { kind: 'principal'; principal: Principal } | { kind: 'log' };

export class EventAdmission {
  private readonly registered = new Set<string>();
  private readonly owners = new Map<string, string>();

  constructor(readonly store: TenantStore) {}

  /**
   * Splits `events` (already schema-valid) into admitted and rejected, claiming campaigns and
   * registering clients as it goes (in input order: a batch may register a client, then create
   * its campaign, then touch it). @throws ALMANAC_ERR_STORE_UNAVAILABLE (retriable)
   */
  async admit(events: readonly AlmanacEvent[], actor: Actor, offset = 0): Promise<Admission> {
    await this.prefetch(events);
    const out: Admission = { admitted: [], admittedIndex: [], rejected: [] };
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as AlmanacEvent;
      const reject = await this.check(e, actor);
      if (reject === undefined) {
        out.admitted.push(e);
        out.admittedIndex.push(i);
      } else out.rejected.push({ index: i + offset, ...reject });
    }
    return out;
  }

  /** Reads the registrations and owners a batch needs in two calls. */
  private async prefetch(events: readonly AlmanacEvent[]): Promise<void> {
    const clients = new Set<string>();
    const campaigns = new Set<string>();
    for (const e of events) {
      if (!this.registered.has(e.client_id)) clients.add(e.client_id);
      if (e.type !== 'client' && !this.owners.has(e.campaign_id)) campaigns.add(e.campaign_id);
    }
    if (clients.size > 0) for (const id of await this.store.registeredClients([...clients])) this.registered.add(id);
    if (campaigns.size > 0) for (const [id, owner] of await this.store.campaignOwners([...campaigns])) this.owners.set(id, owner);
  }

  private async check(e: AlmanacEvent, actor: Actor): Promise<Omit<EventRejection, 'index'> | undefined> {
    const client = e.client_id;
    if (actor.kind === 'principal' && !actsFor(actor.principal, client)) {
      return { path: 'client_id', code: 'not_your_client', reason: `client_id '${client}' is not a client this key may write for` };
    }
    if (!this.registered.has(client)) {
      if (e.type === 'client' && actor.kind === 'principal' && mayRegister(actor.principal, client)) {
        await this.store.registerClient(client, actor.principal.keyId);
        this.registered.add(client);
      } else {
        // a tenant key's own client is always registered: this reason reaches operators (and the log) only
        return { path: 'client_id', code: 'unregistered_client', reason: `client '${client}' is not registered; an admin registers it with \`almanac clients register\`` };
      }
    }
    if (e.type === 'client') return undefined;
    let owner = this.owners.get(e.campaign_id);
    if (owner === undefined && e.type === 'campaign') {
      owner = (await this.store.claimCampaigns(client, [e.campaign_id])).get(e.campaign_id);
      if (owner !== undefined) this.owners.set(e.campaign_id, owner);
    }
    if (e.type === 'campaign') {
      return owner === client ? undefined : { path: 'campaign_id', code: 'campaign_taken', reason: `campaign_id '${e.campaign_id}' is already in use; choose another id` };
    }
    if (owner !== client) return { path: 'campaign_id', code: 'unknown_campaign', reason: `campaign '${e.campaign_id}' not found` };
    return undefined;
  }
}
