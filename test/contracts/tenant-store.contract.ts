/**
 * The TenantStore contract, run against every adapter (embedded always; redis against a private
 * redis-server or REDIS_URL). `make` returns a fresh, isolated, initialised store; `twin` (optional)
 * a second instance over the same data (another process or API replica).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { newApiKey, parseApiKey } from '../../core/tenants/api-key.ts';
import type { TenantStore } from '../../core/tenants/tenant-store.ts';

export interface TenantStoreContractOptions {
  twin?: (of: TenantStore) => Promise<TenantStore>;
}

export function tenantStoreContract(name: string, make: () => Promise<TenantStore>, options: TenantStoreContractOptions = {}): void {
  describe(`TenantStore contract: ${name}`, () => {
    const open: TenantStore[] = [];
    const fresh = async () => {
      const s = await make();
      open.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close().catch(() => undefined);
    });

    it('registers clients once, exactly (no case, unicode or whitespace folding)', async () => {
      const s = await fresh();
      expect(await s.registerClient('acme', 'admin-key', 1000)).toBe(true);
      expect(await s.registerClient('acme', 'other', 2000)).toBe(false);
      const known = await s.registeredClients(['acme', 'ACME', 'acme ', 'аcme', 'ghost']); // Cyrillic а
      expect([...known]).toEqual(['acme']);
      expect(await s.listClients()).toEqual([{ client_id: 'acme', created_at: 1000, created_by: 'admin-key' }]);
    });

    it('stores keys by id with hash, scopes, expiry; revokes; records the last-used time; refuses a reused id', async () => {
      const s = await fresh();
      const a = newApiKey({ client_id: 'acme', scopes: ['predict', 'search'], name: 'a', expires_at: 9_000_000_000_000, now: 5 });
      await s.putKey(a.record);
      expect(await s.getKey(a.record.id)).toEqual(a.record);
      expect(await s.getKey('000000000000')).toBeUndefined();
      await expect(s.putKey(a.record)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_CONFLICT' });
      await s.touchKey(a.record.id, 777);
      expect((await s.getKey(a.record.id))?.last_used_at).toBe(777);
      expect(await s.revokeKey(a.record.id, 888)).toBe(true);
      expect(await s.revokeKey('000000000000', 888)).toBe(false);
      expect((await s.getKey(a.record.id))?.revoked_at).toBe(888);
      const b = newApiKey({ client_id: null, scopes: ['admin'], now: 6 });
      await s.putKey(b.record);
      expect((await s.listKeys()).map((k) => k.id)).toEqual([a.record.id, b.record.id]);
      expect(JSON.stringify(await s.listKeys())).not.toContain(parseApiKey(a.secret)!.secret);
    });

    it('the first claim of a campaign wins, forever', async () => {
      const s = await fresh();
      expect(await s.claimCampaigns('victim', ['cp1', 'cp2'])).toEqual(new Map([['cp1', 'victim'], ['cp2', 'victim']]));
      expect(await s.claimCampaigns('attacker', ['cp1', 'cp3'])).toEqual(new Map([['cp1', 'victim'], ['cp3', 'attacker']]));
      expect(await s.campaignOwners(['cp1', 'cp3', 'cp9'])).toEqual(new Map([['cp1', 'victim'], ['cp3', 'attacker']]));
    });

    if (options.twin) {
      it('a second instance over the same data sees registrations, keys, revocations and claims, and cannot steal a claim', async () => {
        const s = await fresh();
        const t = await options.twin!(s);
        open.push(t);
        await s.registerClient('acme', 'x');
        const k = newApiKey({ client_id: 'acme', scopes: ['predict'] });
        await s.putKey(k.record);
        await s.claimCampaigns('acme', ['cp1']);
        expect([...(await t.registeredClients(['acme']))]).toEqual(['acme']);
        expect((await t.getKey(k.record.id))?.hash).toBe(k.record.hash);
        expect(await t.claimCampaigns('other', ['cp1'])).toEqual(new Map([['cp1', 'acme']]));
        await t.revokeKey(k.record.id, 42);
        await new Promise((r) => setTimeout(r, 1_100)); // the embedded store re-reads at most every second
        expect((await s.getKey(k.record.id))?.revoked_at).toBe(42);
      });
    }
  });
}
