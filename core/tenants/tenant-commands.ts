/**
 * `almanac clients register|list` and `almanac keys create|list|revoke`: the operator's side of
 * tenancy (the CLI has the home, so it acts as admin). A key's secret is printed once, on stdout,
 * alone on its line; nothing else ever shows it (only its sha256 is stored).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { action, commandConfig } from '../cli/command.ts';
import { invalidInput } from '../errors.ts';
import { stableId } from '../domain/timestamp.ts';
import { SCOPES, type ApiKeyRecord } from './api-key.ts';
import { withTenantStore } from './create-tenant-store.ts';
import { issueKey } from './key-issuance.ts';

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

/** `30d`, `12h`, `90m` from now, or an ISO-8601 date-time with a zone. */
export function expiryOption(value: string, now = Date.now()): number {
  const m = /^(\d+)([dhm])$/.exec(value);
  if (m) return now + Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm'];
  const t = /T.*(Z|[+-]\d\d:\d\d)$/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(t)) throw new InvalidArgumentError(`--expires must be a duration like 30d, 12h, 90m or an ISO date-time with a zone, got '${value}'`);
  return t;
}

function clientId(value: string): string {
  const r = stableId.safeParse(value);
  if (!r.success) throw invalidInput(`client id '${value}' is not valid: ${r.error.issues[0]?.message ?? 'invalid'}`, [{ path: 'client', reason: r.error.issues[0]?.message ?? 'invalid' }]);
  return value;
}

const when = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString());

function keyLine(k: ApiKeyRecord, now: number): string {
  const state = k.revoked_at !== null ? 'revoked' : k.expires_at !== null && k.expires_at <= now ? 'expired' : 'active';
  const who = k.client_id ?? (k.clients.length > 0 ? `ingest:${k.clients.join(',')}` : 'operator');
  return [k.id, state, who, k.scopes.join(','), when(k.created_at), when(k.last_used_at), when(k.expires_at), k.name ?? ''].join('\t');
}

export function registerTenantCommands(program: Command): void {
  const clients = program.command('clients').description('tenants: register the clients that may send events and get keys');
  clients.command('register').description('register clients (idempotent); only registered clients have events, keys and count toward pattern k-anonymity')
    .argument('<ids...>', 'client ids')
    .action(action(async (ids: string[], _o: unknown, cmd: Command) => {
      const valid = ids.map(clientId);
      await withTenantStore(commandConfig(cmd), async (store) => {
        for (const id of valid) process.stdout.write(`${id}\t${(await store.registerClient(id, 'cli')) ? 'registered' : 'already registered'}\n`);
      });
    }));
  clients.command('list').description('the registered clients').action(action(async (_o: unknown, cmd: Command) => {
    await withTenantStore(commandConfig(cmd), async (store) => {
      for (const c of await store.listClients()) process.stdout.write(`${c.client_id}\t${when(c.created_at)}\t${c.created_by}\n`);
    });
  }));

  const keys = program.command('keys').description('API keys: `Authorization: Bearer alm_…` on every request');
  keys.command('create').description('create a key and print its secret once (tenant scopes: predict, search, events:write; operator: admin, ingest)')
    .option('--client <id>', 'the tenant of a tenant key')
    .requiredOption('--scopes <list>', `comma-separated: ${SCOPES.join(', ')}`, list)
    .option('--clients <list>', 'for an ingest key: the clients it may write events for', list)
    .option('--name <text>', 'a label shown by `keys list`')
    .option('--expires <when>', 'expiry: 30d, 12h, 90m from now or an ISO date-time (default never)')
    .action(action(async (o: { client?: string; scopes: string[]; clients?: string[]; name?: string; expires?: string }, cmd: Command) => {
      const expiresAt = o.expires === undefined ? undefined : expiryOption(o.expires);
      await withTenantStore(commandConfig(cmd), async (store) => {
        const key = await issueKey(store, { client: o.client, clients: o.clients, scopes: o.scopes, name: o.name, expiresAt });
        process.stderr.write(`key ${key.record.id} for ${key.record.client_id ?? 'the operator'} (${key.record.scopes.join(', ')}); the secret is shown once:\n`);
        process.stdout.write(`${key.secret}\n`);
      });
    }));
  keys.command('list').description('every key: id, state, tenant, scopes, created, last used, expires, name (never a secret)')
    .action(action(async (_o: unknown, cmd: Command) => {
      await withTenantStore(commandConfig(cmd), async (store) => {
        const now = Date.now();
        process.stdout.write('id\tstate\ttenant\tscopes\tcreated\tlast_used\texpires\tname\n');
        for (const k of await store.listKeys()) process.stdout.write(`${keyLine(k, now)}\n`);
      });
    }));
  keys.command('revoke').description('revoke a key by id (effective on every server within ~1 s)')
    .argument('<id>', 'the key id (the 12 hex after alm_)')
    .action(action(async (id: string, _o: unknown, cmd: Command) => {
      await withTenantStore(commandConfig(cmd), async (store) => {
        if (!(await store.revokeKey(id))) throw invalidInput(`no key with id '${id}': see \`almanac keys list\``, [{ path: 'id', reason: 'unknown key id' }]);
        process.stdout.write(`${id}\trevoked\n`);
      });
    }));
}
