/**
 * Serving results through the ResultCache, keyed by route + model version + index version + a
 * hash of the validated input. Cache failures or timeouts are served around (a miss); degraded
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

export function resultCacheKey(route: string, model: number | undefined, index: string | undefined, input: unknown): string {
  // one-shot hash: the same digest as createHash('sha1'), without a Hash object per request
  const digest = hash('sha1', JSON.stringify(input), 'base64url');
  return `${route}:m${model ?? '-'}:i${index ?? '-'}:${digest}`;
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
  rt: ServingRuntime, route: string, input: unknown, usesIndex: boolean,
  compute: () => Promise<T>, cacheable: (value: T) => boolean,
): Promise<CachedResult> {
  const key = resultCacheKey(route, rt.champion.version, usesIndex ? rt.indexVersion : undefined, input);
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
