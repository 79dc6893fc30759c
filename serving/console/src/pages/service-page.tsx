import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { LineChart } from '../components/line-chart.tsx';
import { Badge, ErrorNotice, Loading, Section } from '../components/notice.tsx';
import { duration, ms, num, pct } from '../format.ts';
import { useApi } from '../use-api.ts';

interface ServiceState {
  uptime_s: number;
  routes: { route: string; method: string; requests: number; rate_per_s: number | null; p50_ms: number | null; p99_ms: number | null; errors: number }[];
  dependencies: { name: string; calls: number; p50_ms: number | null; p99_ms: number | null; failures: number; breaker: 'closed' | 'open' | 'half_open' | null }[];
  cache: { hits: number; misses: number; hit_rate: number | null; bytes?: number | null };
  fallbacks: { kind: string; count: number }[];
}

const POLL_MS = 3000;
const KEEP = 100;

export function ServicePage() {
  const svc = useApi<ServiceState>('/v1/service', POLL_MS);
  // the live rate: requests between two polls over the time between them (kept for the chart)
  const last = useRef<{ at: number; total: number } | undefined>(undefined);
  const [samples, setSamples] = useState<{ t: number; rate: number }[]>([]);
  useEffect(() => {
    if (!svc.data) return;
    const now = Date.now();
    const total = svc.data.routes.reduce((s, r) => s + r.requests, 0);
    const prev = last.current;
    last.current = { at: now, total };
    if (prev && now > prev.at) setSamples((s) => [...s.slice(-(KEEP - 1)), { t: now / 1000, rate: Math.max(0, (total - prev.total) / ((now - prev.at) / 1000)) }]);
  }, [svc.data]);
  const x = useMemo(() => samples.map((s) => s.t), [samples]);
  const series = useMemo(() => [{ label: 'requests/s', values: samples.map((s) => s.rate), color: '#1d4ed8' }], [samples]);
  const d = svc.data;
  return (
    <>
      <h1>Service</h1>
      <ErrorNotice error={svc.error} what="Service figures" />
      <Loading when={svc.loading && !d} />
      {d && (
        <>
          <div class="tiles" data-testid="service-tiles">
            <div class="tile"><span class="label">Up for</span><strong>{duration(d.uptime_s * 1000)}</strong></div>
            <div class="tile"><span class="label">Requests</span><strong>{num(d.routes.reduce((s, r) => s + r.requests, 0))}</strong></div>
            <div class="tile"><span class="label">Live rate</span><strong>{samples.length === 0 ? '…' : `${samples.at(-1)?.rate.toFixed(1)}/s`}</strong></div>
            <div class="tile"><span class="label">Cache hit rate</span><strong>{pct(d.cache.hit_rate)}</strong><span class="muted small">{num(d.cache.hits)} hits · {num(d.cache.misses)} misses</span></div>
            <div class="tile"><span class="label">Fallbacks</span><strong>{num(d.fallbacks.reduce((s, f) => s + f.count, 0))}</strong></div>
          </div>
          <Section title="Request rate" id="rate-title">
            {samples.length < 2 ? <p class="muted">Measuring… (a point every {POLL_MS / 1000} s)</p>
              : <LineChart x={x} series={series} time xLabel="time" yLabel="requests/s" height={200} yRange={[0, Math.max(1, ...samples.map((p) => p.rate)) * 1.2]} summary={`Requests per second over the last ${samples.length} polls; now ${samples.at(-1)?.rate.toFixed(1)}/s`} />}
          </Section>
          <Section title="Routes" id="routes-title">
            <div class="table-wrap"><table data-testid="routes-table"><caption class="sr-only">Requests and latency per route since start</caption>
              <thead><tr><th scope="col">Route</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Rate</th><th scope="col" class="num">p50</th><th scope="col" class="num">p99</th><th scope="col" class="num">Errors</th></tr></thead>
              <tbody>{[...d.routes].sort((a, b) => b.requests - a.requests).map((r) => <tr key={`${r.method} ${r.route}`}><th scope="row"><code>{r.method} {r.route}</code></th><td class="num">{num(r.requests)}</td><td class="num">{r.rate_per_s === null ? '–' : `${r.rate_per_s.toFixed(2)}/s`}</td><td class="num">{ms(r.p50_ms)}</td><td class="num">{ms(r.p99_ms)}</td><td class="num">{num(r.errors)}</td></tr>)}</tbody>
            </table></div>
          </Section>
          <div class="grid-2">
            <Section title="Dependencies" id="deps-title">
              {d.dependencies.length === 0 ? <p>No dependency call yet.</p> : (
                <div class="table-wrap"><table><caption class="sr-only">Calls to each dependency</caption>
                  <thead><tr><th scope="col">Dependency</th><th scope="col" class="num">Calls</th><th scope="col" class="num">p50</th><th scope="col" class="num">p99</th><th scope="col" class="num">Failures</th><th scope="col">Breaker</th></tr></thead>
                  <tbody>{d.dependencies.map((x) => <tr key={x.name}><th scope="row">{x.name}</th><td class="num">{num(x.calls)}</td><td class="num">{ms(x.p50_ms)}</td><td class="num">{ms(x.p99_ms)}</td><td class="num">{num(x.failures)}</td><td>{x.breaker ? <Badge tone={x.breaker === 'closed' ? 'good' : x.breaker === 'open' ? 'bad' : 'warn'}>{x.breaker.replace('_', ' ')}</Badge> : '–'}</td></tr>)}</tbody>
                </table></div>
              )}
            </Section>
            <Section title="Fallbacks" id="fallbacks-title">
              {d.fallbacks.length === 0 ? <p>No fallback served since start.</p> : (
                <table><caption class="sr-only">Responses served by a fallback, per kind</caption>
                  <thead><tr><th scope="col">Kind</th><th scope="col" class="num">Count</th></tr></thead>
                  <tbody>{d.fallbacks.map((f) => <tr key={f.kind}><th scope="row">{f.kind}</th><td class="num">{num(f.count)}</td></tr>)}</tbody>
                </table>
              )}
            </Section>
          </div>
        </>
      )}
    </>
  );
}
