/** GET /metrics (Prometheus text) and the hook that counts and times every request by route. */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../core/metrics.ts';
import { counterSeries, histogramSeries, type CountSeries, type ObserveSeries } from '../metric-series.ts';

interface RouteSeries {
  requests: CountSeries;
  latency: ObserveSeries;
}

/** Counts and times every request; serves GET /metrics on `app` too unless `serveHere` is false (a separate listener serves it). */
export function registerMetrics(app: FastifyInstance, metrics: Metrics, serveHere = true): void {
  // series looked up once per (route, method, status) and updated in place (metric-series.ts)
  const series = new Map<string, RouteSeries>();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    const key = `${request.method} ${status} ${route}`;
    let s = series.get(key);
    if (s === undefined) {
      s = {
        requests: counterSeries(metrics.httpRequests, { route, method: request.method, status }),
        latency: histogramSeries(metrics.httpLatency, { route, method: request.method }),
      };
      series.set(key, s);
    }
    s.requests.inc();
    s.latency.observe(reply.elapsedTime / 1000);
    done();
  });
  if (serveHere) registerMetricsRoute(app, metrics, 'admin');
}

/** GET /metrics: admin key on the API listener; 'open' on a separate metrics listener bound to its own address. */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics, auth: 'admin' | 'open'): void {
  app.get('/metrics', { config: { auth }, schema: { summary: 'Prometheus metrics (admin key, or the separate metrics listener)', tags: ['health'], security: [{ bearer: [] }] } }, async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(text);
  });
}
