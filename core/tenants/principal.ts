/**
 * Who is acting: the key's id, its tenant and scopes. Every HTTP request has one (from its key);
 * the CLI acts as the operator (it has the home, so it has every authority).
 */
import type { ApiKeyRecord, Scope } from './api-key.ts';

export interface Principal {
  keyId: string;
  /** The tenant of a tenant key; null for operator keys. */
  clientId: string | null;
  /** The clients an `ingest` key may write events for. */
  clients: ReadonlySet<string>;
  scopes: ReadonlySet<Scope>;
}

export function principalOf(record: ApiKeyRecord): Principal {
  return { keyId: record.id, clientId: record.client_id, clients: new Set(record.clients), scopes: new Set(record.scopes) };
}

/** The operator at the command line (`almanac ingest`, the demo): admin over every client. */
export const OPERATOR: Principal = { keyId: 'cli', clientId: null, clients: new Set(), scopes: new Set(['admin']) };

/** Whether the principal may write (and register) events of `clientId`. */
export function actsFor(p: Principal, clientId: string): boolean {
  if (p.scopes.has('admin')) return true;
  if (p.scopes.has('ingest') && p.clients.has(clientId)) return true;
  return p.clientId === clientId && p.scopes.has('events:write');
}

/** Whether the principal may register `clientId` (admin, or an ingest key listing it). */
export function mayRegister(p: Principal, clientId: string): boolean {
  return p.scopes.has('admin') || (p.scopes.has('ingest') && p.clients.has(clientId));
}
