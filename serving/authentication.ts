/**
 * Every request is authenticated: `Authorization: Bearer alm_<id>_<secret>` (core/tenants/api-key.ts).
 * Each route declares what it needs in `config.auth`: a scope, 'open' (GET /health/live, the
 * OpenAPI document) or 'optional' (GET /health/ready: details only for admin). A route without a
 * declaration needs admin (deny by default).
 *
 * - Missing key → 401 ALMANAC_ERR_AUTH_MISSING; malformed, unknown, wrong secret, revoked or expired →
 *   401 ALMANAC_ERR_AUTH_INVALID with one message, so keys cannot be probed; a valid key without the
 *   scope → 403 ALMANAC_ERR_AUTH_FORBIDDEN. `admin` holds every scope.
 * - Records are cached for 1 s (a revocation takes effect everywhere within ~1 s, plus the embedded
 *   store's own 1 s refresh); the secret is checked on every request (sha256 + timingSafeEqual, ~1 µs).
 * - Last-used time: written at most once a minute per key, off the request path.
 * - `--insecure-no-auth` (local experiments only): every request acts as admin; serve refuses it on
 *   a non-loopback address and warns at every start (serving/cli.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { AlmanacError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { keyUnusable, parseApiKey, secretMatches, SCOPES, type ApiKeyRecord, type Scope } from '../core/tenants/api-key.ts';
import { principalOf, type Principal } from '../core/tenants/principal.ts';
import type { TenantStore } from '../core/tenants/tenant-store.ts';

export type RouteAuth = Scope | 'open' | 'optional';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request (undefined on open routes called without a key). */
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
}

/** The principal of `--insecure-no-auth`: admin over everything. */
export const INSECURE_PRINCIPAL: Principal = { keyId: 'insecure-no-auth', clientId: null, clients: new Set(), scopes: new Set(SCOPES) };

const INVALID = 'the API key is not valid (malformed, unknown, revoked or expired); create one with `almanac keys create`';
const MISSING = Symbol('missing');
const LAST_USED_EVERY_MS = 60_000;

export function authMissing(): AlmanacError {
  return new AlmanacError('ALMANAC_ERR_AUTH_MISSING', 'this route needs an API key: send `Authorization: Bearer alm_…`', { details: { scheme: 'Bearer' } });
}

export function forbidden(message: string, details: Record<string, unknown> = {}): AlmanacError {
  return new AlmanacError('ALMANAC_ERR_AUTH_FORBIDDEN', message, { details });
}

export function hasScope(p: Principal, scope: Scope): boolean {
  return p.scopes.has(scope) || p.scopes.has('admin') || (scope === 'events:write' && p.scopes.has('ingest'));
}

export class Authenticator {
  private readonly records = new LRUCache<string, ApiKeyRecord | typeof MISSING>({ max: 10_000, ttl: 1_000 });
  private readonly touched = new Map<string, number>();

  constructor(private readonly store: TenantStore, private readonly log: Logger) {}

  /** The principal of an Authorization header. @throws 401 ALMANAC_ERR_AUTH_MISSING / ALMANAC_ERR_AUTH_INVALID */
  async authenticate(header: string | undefined, now = Date.now()): Promise<Principal> {
    if (header === undefined || header === '') throw authMissing();
    const m = /^Bearer ([^\s]+)$/.exec(header);
    const parsed = m ? parseApiKey(m[1] as string) : undefined;
    if (parsed === undefined) throw invalidKey();
    const record = await this.record(parsed.id);
    if (record === undefined || !secretMatches(parsed.secret, record.hash) || keyUnusable(record, now) !== undefined) throw invalidKey();
    this.markUsed(record.id, now);
    return principalOf(record);
  }

  private async record(id: string): Promise<ApiKeyRecord | undefined> {
    let hit = this.records.get(id);
    if (hit === undefined) {
      hit = (await this.store.getKey(id)) ?? MISSING;
      this.records.set(id, hit);
    }
    return hit === MISSING ? undefined : hit;
  }

  private markUsed(id: string, now: number): void {
    if (now - (this.touched.get(id) ?? 0) < LAST_USED_EVERY_MS) return;
    this.touched.set(id, now);
    void this.store.touchKey(id, now).catch((e: Error) => this.log.warn({ key_id: id, err: e.message }, 'cannot record key last-used time'));
  }
}

export interface AuthOptions {
  /** Every request acts as admin, no key needed (`almanac serve --insecure-no-auth`). */
  insecureNoAuth?: boolean;
}

/** The onRequest hook: authenticates, then checks the route's scope. */
export function installAuthentication(app: FastifyInstance, auth: Authenticator, options: AuthOptions = {}): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const need: RouteAuth = request.routeOptions.config?.auth ?? 'admin';
    if (options.insecureNoAuth) {
      request.principal = INSECURE_PRINCIPAL;
      return;
    }
    if (need === 'open' || request.is404) return; // routes are public (openapi.json); a 404 names no resource
    const header = request.headers.authorization;
    if (need === 'optional' && header === undefined) return;
    const principal = await auth.authenticate(header);
    request.principal = principal;
    if (need !== 'optional' && !hasScope(principal, need)) throw forbidden(`this key may not do this: it lacks the '${need}' scope`, { scope: need });
  });
}

function invalidKey(): AlmanacError {
  return new AlmanacError('ALMANAC_ERR_AUTH_INVALID', INVALID, { details: { scheme: 'Bearer' } });
}

/**
 * The tenant a predict or search request is for: the key's own client (a body client_id that differs
 * is 403; a missing one is filled from the key); an admin key must name the client in the body.
 * @throws ALMANAC_ERR_AUTH_FORBIDDEN, ALMANAC_ERR_INPUT_INVALID (admin without client_id)
 */
export function tenantOf(principal: Principal | undefined, bodyClientId: string | undefined, path: string): string {
  const own = principal?.clientId ?? null;
  if (own !== null) {
    if (bodyClientId !== undefined && bodyClientId !== own) {
      throw forbidden(`${path} must be this key's client (or left out)`, { path, issues: [{ path, reason: "must be the key's own client" }] });
    }
    return own;
  }
  if (principal !== undefined && principal.scopes.has('admin') && bodyClientId !== undefined) return bodyClientId;
  if (principal !== undefined && principal.scopes.has('admin')) {
    throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `${path}: an admin key must name the client`, { details: { issues: [{ path, reason: 'required with an admin key' }] } });
  }
  throw forbidden('this key has no client: use a tenant key', { path });
}
