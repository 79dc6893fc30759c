/**
 * The TenantStore port: who the tenants (clients) are, the API keys that act for them, and which
 * client owns each campaign. One store for the three because they are checked together on every
 * write (core/tenants/event-admission.ts) and every request (serving's auth hook).
 *
 * Adapters: `embedded` (an append-only file in the home; several processes share it) and `redis`
 * (several API replicas share keys). Picked by `config.tenants.adapter` (create-tenant-store.ts).
 */
import type { ApiKeyRecord } from './api-key.ts';

export interface ClientRecord {
  client_id: string;
  /** Epoch ms. */
  created_at: number;
  /** Key id (or 'cli', 'demo') that registered it. */
  created_by: string;
}

export interface TenantStore {
  readonly kind: string;
  /** Opens files or connections. @throws ALMANAC_ERR_STORE_UNAVAILABLE */
  init(): Promise<void>;
  close(): Promise<void>;
  /** True when the store answers; never throws. */
  ping(): Promise<boolean>;

  /**
   * Registers a client (idempotent: registering a registered client changes nothing).
   * @returns true when the client is new.
   * @throws ALMANAC_ERR_STORE_UNAVAILABLE (retriable)
   */
  registerClient(clientId: string, by: string, at?: number): Promise<boolean>;
  /** The registered ids among `clientIds` (exact match: no case or unicode folding). */
  registeredClients(clientIds: readonly string[]): Promise<Set<string>>;
  /** Every registered client, sorted by id. */
  listClients(): Promise<ClientRecord[]>;

  /** Stores a new key record (its id must be new). @throws ALMANAC_ERR_INPUT_CONFLICT on a reused id */
  putKey(record: ApiKeyRecord): Promise<void>;
  /** The key record by id, or undefined. Reads may be up to ~1 s stale across processes (embedded). */
  getKey(id: string): Promise<ApiKeyRecord | undefined>;
  /** Every key record (hashes included; callers must not print them), by creation time. */
  listKeys(): Promise<ApiKeyRecord[]>;
  /** Marks a key revoked at `at` (epoch ms). @returns false when no such key. */
  revokeKey(id: string, at?: number): Promise<boolean>;
  /** Records the last-used time (callers throttle it: at most one write per key per minute). */
  touchKey(id: string, at: number): Promise<void>;

  /**
   * Claims campaign ids for a client: the first claim of an id wins, forever.
   * @returns the owner of every id after the claims (= `clientId` where this call won or already owned it).
   */
  claimCampaigns(clientId: string, campaignIds: readonly string[]): Promise<Map<string, string>>;
  /** The owners of the given campaign ids (unclaimed ids are absent). */
  campaignOwners(campaignIds: readonly string[]): Promise<Map<string, string>>;
}
