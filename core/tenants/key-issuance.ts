/**
 * Issuing a key: the one place that checks what a key may be. Tenant keys (predict, search,
 * events:write) belong to one registered client; operator keys are `admin`, or `ingest` for a
 * listed set of registered clients. The secret is returned once and never stored.
 */
import { invalidInput, notFound } from '../errors.ts';
import { newApiKey, OPERATOR_SCOPES, SCOPES, TENANT_SCOPES, type NewKey, type Scope } from './api-key.ts';
import type { TenantStore } from './tenant-store.ts';

export interface IssueKeyOptions {
  client?: string;
  /** For `ingest` keys: the clients it may write events for. */
  clients?: string[];
  scopes: string[];
  name?: string;
  /** Epoch ms, or undefined = never. */
  expiresAt?: number;
  now?: number;
}

/** @throws ALMANAC_ERR_INPUT_INVALID (bad scopes or combination), ALMANAC_ERR_INPUT_NOT_FOUND (unregistered client) */
export async function issueKey(store: TenantStore, o: IssueKeyOptions): Promise<NewKey> {
  const unknown = o.scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (o.scopes.length === 0 || unknown.length > 0) {
    throw invalidInput(`unknown scope${unknown.length === 1 ? '' : 's'} ${unknown.map((s) => `'${s}'`).join(', ') || '(none given)'}: use ${SCOPES.join(', ')}`, [{ path: 'scopes', reason: `must be among ${SCOPES.join(', ')}` }]);
  }
  const scopes = [...new Set(o.scopes)] as Scope[];
  const tenant = scopes.filter((s) => (TENANT_SCOPES as readonly string[]).includes(s));
  const operator = scopes.filter((s) => (OPERATOR_SCOPES as readonly string[]).includes(s));
  if (tenant.length > 0 && operator.length > 0) throw invalidInput(`a key is either a tenant key (${TENANT_SCOPES.join(', ')}) or an operator key (${OPERATOR_SCOPES.join(', ')}), not both`, [{ path: 'scopes', reason: 'mixes tenant and operator scopes' }]);
  const now = o.now ?? Date.now();
  if (o.expiresAt !== undefined && !(o.expiresAt > now)) throw invalidInput('the expiry must be in the future', [{ path: 'expires', reason: 'must be after now' }]);
  if (tenant.length > 0) {
    if (o.client === undefined) throw invalidInput(`a tenant key needs its client: pass --client ID`, [{ path: 'client', reason: 'required for tenant scopes' }]);
    await requireRegistered(store, [o.client]);
    return put(store, newApiKey({ client_id: o.client, scopes, name: o.name, expires_at: o.expiresAt ?? null, now }));
  }
  if (o.client !== undefined) throw invalidInput('an operator key has no --client (use --clients for an ingest key)', [{ path: 'client', reason: 'not for operator keys' }]);
  const clients = [...new Set(o.clients ?? [])];
  if (scopes.includes('ingest') && clients.length === 0) throw invalidInput('an ingest key needs the clients it may write for: pass --clients A,B', [{ path: 'clients', reason: 'required for ingest' }]);
  await requireRegistered(store, clients);
  return put(store, newApiKey({ client_id: null, clients, scopes, name: o.name, expires_at: o.expiresAt ?? null, now }));
}

async function requireRegistered(store: TenantStore, clients: string[]): Promise<void> {
  const known = await store.registeredClients(clients);
  const missing = clients.find((c) => !known.has(c));
  if (missing !== undefined) {
    const e = notFound('client', missing);
    e.message = `client '${missing}' is not registered: run \`almanac clients register ${missing}\` first`;
    throw e;
  }
}

async function put(store: TenantStore, key: NewKey): Promise<NewKey> {
  await store.putKey(key.record);
  return key;
}
