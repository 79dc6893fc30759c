/**
 * The service's figures for the console, read from the process's prom-client registry (the very
 * series GET /metrics exports: core/metrics.ts, updated in place by serving/metric-series.ts) —
 * no counters of its own. Quantiles are estimated from the cumulative histogram buckets by linear
 * interpolation inside the bucket that holds the rank (as Prometheus' histogram_quantile does; a
 * rank in the +Inf bucket gives the largest finite bound), over the process's lifetime. Rates are
 * the requests since the oldest reading of the last minute (readings are kept here, one per call),
 * else since start.
 */
import type { Metrics } from '../core/metrics.ts';

type Labels = Record<string, string | number | undefined>;
interface Value { labels: Labels; value: number; metricName?: string }

/** A histogram series' cumulative bucket counts (upper bound → count) and total count. */
interface Buckets { bounds: number[]; cumulative: number[]; count: number }

/** The q-quantile (0..1) of a cumulative histogram, in the histogram's unit; null without observations. */
export function histogramQuantile(q: number, h: Buckets): number | null {
  if (h.count === 0) return null;
  const rank = q * h.count;
  let prevBound = 0;
  let prevCount = 0;
  for (let i = 0; i < h.bounds.length; i++) {
    const bound = h.bounds[i] as number;
    const c = h.cumulative[i] as number;
    if (c >= rank) {
      if (!Number.isFinite(bound)) return prevBound;
      const inBucket = c - prevCount;
      return inBucket === 0 ? bound : prevBound + ((bound - prevBound) * (rank - prevCount)) / inBucket;
    }
    prevBound = Number.isFinite(bound) ? bound : prevBound;
    prevCount = c;
  }
  return prevBound;
}

/** Buckets of a histogram's `get()` values summed over the series that `keyOf` maps to the same key. */
function histogramsBy(values: Value[], keyOf: (l: Labels) => string): Map<string, Buckets> {
  const perKey = new Map<string, Map<number, number>>();
  const counts = new Map<string, number>();
  for (const v of values) {
    const key = keyOf(v.labels);
    if (v.metricName?.endsWith('_bucket')) {
      const le = v.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(v.labels.le);
      const m = perKey.get(key) ?? new Map<number, number>();
      m.set(le, (m.get(le) ?? 0) + v.value);
      perKey.set(key, m);
    } else if (v.metricName?.endsWith('_count')) {
      counts.set(key, (counts.get(key) ?? 0) + v.value);
    }
  }
  const out = new Map<string, Buckets>();
  for (const [key, m] of perKey) {
    const bounds = [...m.keys()].sort((a, b) => a - b);
    out.set(key, { bounds, cumulative: bounds.map((b) => m.get(b) as number), count: counts.get(key) ?? 0 });
  }
  return out;
}

const ms = (seconds: number | null): number | null => (seconds === null ? null : Math.round(seconds * 1e6) / 1e3);

export interface RouteFigures { route: string; method: string; requests: number; rate_per_s: number; p50_ms: number | null; p99_ms: number | null; errors: number }
export interface DependencyFigures { name: string; calls: number; p50_ms: number | null; p99_ms: number | null; failures: number }

/** Readings of the request counts, for rates over the last minute. */
export class RequestRates {
  private readings: { at: number; requests: Map<string, number> }[] = [];
  constructor(private readonly startedAt: number, private readonly windowMs = 60_000) {}

  /** Requests per second of each key since the oldest reading of the window (else since start); records this reading. */
  rates(requests: Map<string, number>, now = Date.now()): Map<string, number> {
    this.readings = this.readings.filter((r) => now - r.at <= this.windowMs);
    const base = this.readings.find((r) => now - r.at >= 1_000);
    const out = new Map<string, number>();
    for (const [key, n] of requests) {
      const seconds = (now - (base?.at ?? this.startedAt)) / 1000;
      const delta = n - (base?.requests.get(key) ?? 0);
      out.set(key, seconds > 0 ? Math.round((delta / seconds) * 1000) / 1000 : 0);
    }
    this.readings.push({ at: now, requests });
    return out;
  }
}

/** Per route and method: requests, 5xx errors, the rate and latency quantiles. */
export async function routeFigures(metrics: Metrics, rates: RequestRates): Promise<RouteFigures[]> {
  const [requests, latency] = await Promise.all([metrics.httpRequests.get(), metrics.httpLatency.get()]);
  const key = (l: Labels) => `${String(l.method)} ${String(l.route)}`;
  const totals = new Map<string, number>();
  const errors = new Map<string, number>();
  for (const v of requests.values as Value[]) {
    totals.set(key(v.labels), (totals.get(key(v.labels)) ?? 0) + v.value);
    if (Number(v.labels.status) >= 500) errors.set(key(v.labels), (errors.get(key(v.labels)) ?? 0) + v.value);
  }
  const histograms = histogramsBy(latency.values as Value[], key);
  const rate = rates.rates(totals);
  return [...totals.keys()].sort().map((k) => {
    const [method, ...route] = k.split(' ');
    const h = histograms.get(k);
    return {
      route: route.join(' '), method: method as string, requests: totals.get(k) ?? 0, rate_per_s: rate.get(k) ?? 0,
      p50_ms: h ? ms(histogramQuantile(0.5, h)) : null, p99_ms: h ? ms(histogramQuantile(0.99, h)) : null, errors: errors.get(k) ?? 0,
    };
  });
}

/** Per dependency: calls, failures (any outcome but ok) and latency quantiles over every outcome. */
export async function dependencyFigures(metrics: Metrics, names: readonly string[]): Promise<DependencyFigures[]> {
  const values = (await metrics.dependencyLatency.get()).values as Value[];
  const histograms = histogramsBy(values, (l) => String(l.dependency));
  const failures = new Map<string, number>();
  for (const v of values) if (v.metricName?.endsWith('_count') && v.labels.outcome !== 'ok') failures.set(String(v.labels.dependency), (failures.get(String(v.labels.dependency)) ?? 0) + v.value);
  return names.map((name) => {
    const h = histograms.get(name);
    return { name, calls: h?.count ?? 0, p50_ms: h ? ms(histogramQuantile(0.5, h)) : null, p99_ms: h ? ms(histogramQuantile(0.99, h)) : null, failures: failures.get(name) ?? 0 };
  });
}

/** A labelled counter's values summed by one label. */
export async function counterBy<L extends string>(counter: Metrics['cacheLookups'] | Metrics['fallbacks'], label: L): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const v of (await counter.get()).values as Value[]) out.set(String(v.labels[label]), (out.get(String(v.labels[label])) ?? 0) + v.value);
  return out;
}
