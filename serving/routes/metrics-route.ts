/** GET /metrics (Prometheus text) and the hook that counts and times every request by route. */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../core/metrics.ts';

export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.httpLatency.observe({ route, method: request.method }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['health'] } }, async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(text);
  });
}
