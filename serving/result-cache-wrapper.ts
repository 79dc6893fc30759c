/**
 * Serving results through the ResultCache, keyed by route + model version + index version + a
 * hash of the validated input. Cache failures or timeouts are served around (a miss); degraded
 * or fallback responses are not stored.
 */
import { createHash } from 'node:crypto';
import type { ServingRuntime } from './serving-runtime.ts';

export interface CachedResult<T> {
  value: T;
  hit: boolean;
}

export function resultCacheKey(route: string, model: number | undefined, index: string | undefined, input: unknown): string {
  const digest = createHash('sha1').update(JSON.stringify(input)).digest('base64url');
  return `${route}:m${model ?? '-'}:i${index ?? '-'}:${digest}`;
}

export async function throughResultCache<T>(
  rt: ServingRuntime, route: string, input: unknown, usesIndex: boolean,
  compute: () => Promise<T>, cacheable: (value: T) => boolean,
): Promise<CachedResult<T>> {
  const key = resultCacheKey(route, rt.champion.version, usesIndex ? rt.indexVersion : undefined, input);
  const { cache, metrics } = rt.deps;
  try {
    const text = await rt.guards.cache.call('get', () => cache.get(key));
    if (text !== undefined) {
      metrics.cacheLookups.inc({ result: 'hit' });
      return { value: JSON.parse(text) as T, hit: true };
    }
  } catch (e) {
    rt.log.debug({ err: (e as Error).message }, 'result cache unavailable');
  }
  metrics.cacheLookups.inc({ result: 'miss' });
  const value = await compute();
  if (cacheable(value)) {
    const ttl = rt.deps.config.cache.ttlMs;
    void rt.guards.cache.call('set', () => cache.set(key, JSON.stringify(value), ttl)).catch(() => undefined);
  }
  return { value, hit: false };
}
