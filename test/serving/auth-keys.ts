/**
 * Test keys: registers clients in a tenant store and creates one tenant key per client (predict,
 * search, events:write) and one admin key — what `almanac demo` does for its clients. Tests send
 * them as `Authorization: Bearer …` (`bearer(secret)`); auth is never switched off globally.
 */
import { newApiKey, TENANT_SCOPES } from '../../core/tenants/api-key.ts';
import type { TenantStore } from '../../core/tenants/tenant-store.ts';

export interface TestKeys {
  admin: string;
  /** A tenant key per client id. */
  byClient: Record<string, string>;
}

export async function createTestKeys(store: TenantStore, clients: readonly string[]): Promise<TestKeys> {
  const byClient: Record<string, string> = {};
  for (const client of clients) {
    await store.registerClient(client, 'test');
    const key = newApiKey({ client_id: client, scopes: [...TENANT_SCOPES], name: `test ${client}` });
    await store.putKey(key.record);
    byClient[client] = key.secret;
  }
  const admin = newApiKey({ client_id: null, scopes: ['admin'], name: 'test admin' });
  await store.putKey(admin.record);
  return { admin: admin.secret, byClient };
}

export const bearer = (secret: string): { authorization: string } => ({ authorization: `Bearer ${secret}` });
