/** Prometheus metrics: one registry per process, created lazily, exported at GET /metrics. */
import { Counter, Histogram, Registry, Gauge, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'method' | 'status'>;
  httpLatency: Histogram<'route' | 'method'>;
  dependencyLatency: Histogram<'dependency' | 'operation' | 'outcome'>;
  cacheLookups: Counter<'result'>;
  fallbacks: Counter<'kind'>;
  eventsProcessed: Counter<'job'>;
  /** Events refused by the ownership rule (core/tenants/event-admission.ts), by job and reason. */
  eventsRejected: Counter<'job' | 'reason'>;
  consumerLag: Gauge<'job' | 'partition'>;
  dependencyUp: Gauge<'dependency'>;
}

export function createMetrics(withDefaults = true): Metrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'almanac_' });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({ name: 'almanac_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'method', 'status'], registers }),
    httpLatency: new Histogram({
      name: 'almanac_http_request_duration_seconds', help: 'HTTP request latency by route', labelNames: ['route', 'method'], registers,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    }),
    dependencyLatency: new Histogram({
      name: 'almanac_dependency_duration_seconds', help: 'Latency of calls to each dependency', labelNames: ['dependency', 'operation', 'outcome'], registers,
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    }),
    cacheLookups: new Counter({ name: 'almanac_cache_lookups_total', help: 'Result cache lookups by result (hit|miss)', labelNames: ['result'], registers }),
    fallbacks: new Counter({ name: 'almanac_fallbacks_total', help: 'Responses served by a fallback, by kind', labelNames: ['kind'], registers }),
    eventsProcessed: new Counter({ name: 'almanac_events_processed_total', help: 'Events processed by a job', labelNames: ['job'], registers }),
    eventsRejected: new Counter({ name: 'almanac_events_rejected_total', help: 'Events refused by the ownership rule, by job (api, ingest, stream) and reason', labelNames: ['job', 'reason'], registers }),
    consumerLag: new Gauge({ name: 'almanac_consumer_lag', help: 'Records between committed offset and end of partition', labelNames: ['job', 'partition'], registers }),
    dependencyUp: new Gauge({ name: 'almanac_dependency_up', help: '1 when the dependency is ready, 0 otherwise', labelNames: ['dependency'], registers }),
  };
}
