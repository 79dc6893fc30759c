/** GET /v1/service (admin): request rate and latency per route and per dependency, the cache, fallbacks — from the /metrics series (serving/service-figures.ts). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseOrThrow } from '../../core/validation.ts';
import type { DependencyName } from '../dependency-guard.ts';
import { authResponses } from '../schemas/auth-responses.ts';
import { docSchema } from '../schemas/json-schema.ts';
import { errorSchema } from '../schemas/plan-schema.ts';
import { noQuerySchema } from '../schemas/pipeline-status-schema.ts';
import { counterBy, dependencyFigures, RequestRates, routeFigures } from '../service-figures.ts';
import type { ServingRuntime } from '../serving-runtime.ts';

const quantile = z.number().nullable();
export const serviceResponseSchema = z.object({
  uptime_s: z.number(),
  routes: z.array(z.object({ route: z.string(), method: z.string(), requests: z.number(), rate_per_s: z.number(), p50_ms: quantile, p99_ms: quantile, errors: z.number() })),
  dependencies: z.array(z.object({ name: z.string(), calls: z.number(), p50_ms: quantile, p99_ms: quantile, failures: z.number(), breaker: z.enum(['closed', 'open', 'half_open']) })),
  cache: z.object({ hits: z.number(), misses: z.number(), hit_rate: z.number().nullable() }),
  fallbacks: z.array(z.object({ kind: z.string(), count: z.number() })),
});

export function registerServiceRoute(app: FastifyInstance, rt: ServingRuntime): void {
  const startedAt = Date.now();
  const rates = new RequestRates(startedAt);
  app.get('/v1/service', {
    config: { auth: 'admin' },
    schema: {
      summary: 'The service: requests, rate, p50/p99 and 5xx errors per route; calls, p50/p99, failures and breaker per dependency; cache hit rate; fallbacks — the /metrics figures (admin key)',
      description: 'Quantiles are estimated from the latency histograms\' buckets (linear within a bucket) over the process\'s lifetime; rate_per_s is over the last minute of readings (one per call), else since start.',
      tags: ['health'], security: [{ bearer: [] }], response: { 200: docSchema(serviceResponseSchema, 'output'), 400: docSchema(errorSchema), ...authResponses() },
    },
  }, async (request): Promise<z.output<typeof serviceResponseSchema>> => {
    parseOrThrow(noQuerySchema, request.query ?? {}, 'service query', 'query');
    const m = rt.deps.metrics;
    const names = Object.keys(rt.guards) as DependencyName[];
    const [routes, deps, cache, fallbacks] = await Promise.all([routeFigures(m, rates), dependencyFigures(m, names), counterBy(m.cacheLookups, 'result'), counterBy(m.fallbacks, 'kind')]);
    const hits = cache.get('hit') ?? 0;
    const misses = cache.get('miss') ?? 0;
    return {
      uptime_s: Math.round((Date.now() - startedAt) / 100) / 10,
      routes,
      dependencies: deps.map((d) => ({ ...d, breaker: rt.guards[d.name as DependencyName].state === 'half-open' ? 'half_open' as const : rt.guards[d.name as DependencyName].state as 'closed' | 'open' })),
      cache: { hits, misses, hit_rate: hits + misses === 0 ? null : Math.round((hits / (hits + misses)) * 10_000) / 10_000 },
      fallbacks: [...fallbacks].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, count]) => ({ kind, count })),
    };
  });
}
