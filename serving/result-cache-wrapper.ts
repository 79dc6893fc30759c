/**
 * Serving results through the ResultCache, keyed by route + tenant + model version + index version +
 * ownership version + a hash of the validated input (which holds the tenant too): one tenant's
 * cached answer is never another's, and none outlives an index switch or an ownership change. Cache failures or timeouts are served around (a miss); degraded
 * or fallback responses are not stored. The result comes back as JSON text, serialised once: a
 * hit is sent as stored (never parsed), a miss is stringified once for the cache and the reply.
 */
import { hash } from 'node:crypto';
import type { Metrics } from '../core/metrics.ts';
import { counterSeries, type CountSeries } from './metric-series.ts';
import type { ServingRuntime } from './serving-runtime.ts';

export interface CachedResult {
  /** The response body (JSON). */
  json: string;
  hit: boolean;
}

export interface CacheScope {
  tenant: string;
  model: number | undefined;
  index: string | undefined;
  ownership: number;
}

export function resultCacheKey(route: string, scope: CacheScope, input: unknown): string {
  // one-shot hash: the same digest as createHash('sha1'), without a Hash object per request
  const digest = hash('sha1', JSON.stringify(input), 'base64url');
  const tenant = hash('sha1', scope.tenant, 'base64url');
  return `${route}:t${tenant}:m${scope.model ?? '-'}:i${scope.index ?? '-'}:o${scope.ownership}:${digest}`;
}

/** The hit and miss series of each Metrics (looked up once, updated in place). */
const lookupSeries = new WeakMap<Metrics, { hit: CountSeries; miss: CountSeries }>();

function lookups(metrics: Metrics): { hit: CountSeries; miss: CountSeries } {
  let s = lookupSeries.get(metrics);
  if (s === undefined) {
    s = { hit: counterSeries(metrics.cacheLookups, { result: 'hit' }), miss: counterSeries(metrics.cacheLookups, { result: 'miss' }) };
    lookupSeries.set(metrics, s);
  }
  return s;
}

export async function throughResultCache<T>(
  rt: ServingRuntime, route: string, tenant: string, input: unknown, usesIndex: boolean,
  compute: () => Promise<T>, cacheable: (value: T) => boolean,
): Promise<CachedResult> {
  const key = resultCacheKey(route, { tenant, model: rt.champion.version, index: usesIndex ? rt.indexVersion : undefined, ownership: rt.ownershipVersion }, input);
  const { cache, metrics } = rt.deps;
  try {
    const text = await rt.guards.cache.call('get', () => cache.get(key));
    if (text !== undefined) {
      lookups(metrics).hit.inc();
      return { json: text, hit: true };
    }
  } catch (e) {
    rt.log.debug({ err: (e as Error).message }, 'result cache unavailable');
  }
  lookups(metrics).miss.inc();
  const value = await compute();
  const json = JSON.stringify(value);
  if (cacheable(value)) {
    const ttl = rt.deps.config.cache.ttlMs;
    void rt.guards.cache.call('set', () => cache.set(key, json, ttl)).catch(() => undefined);
  }
  return { json, hit: false };
}
