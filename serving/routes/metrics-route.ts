/** GET /metrics (Prometheus text) and the hook that counts and times every request by route. */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../core/metrics.ts';

interface RouteSeries {
  requests: { inc(): void };
  latency: { observe(seconds: number): void };
}

export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  // labelled children looked up once per (route, method, status), not hashed on every request
  const series = new Map<string, RouteSeries>();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    const key = `${request.method} ${status} ${route}`;
    let s = series.get(key);
    if (s === undefined) {
      s = {
        requests: metrics.httpRequests.labels({ route, method: request.method, status }),
        latency: metrics.httpLatency.labels({ route, method: request.method }),
      };
      series.set(key, s);
    }
    s.requests.inc();
    s.latency.observe(reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['health'] } }, async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(text);
  });
}
