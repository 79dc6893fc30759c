import { useMemo } from 'preact/hooks';
import { Badge, ErrorNotice, Loading, Section } from '../components/notice.tsx';
import { LineChart } from '../components/line-chart.tsx';
import { RateBar } from '../components/rate-bar.tsx';
import { num, pct, times, when } from '../format.ts';
import type { PatternDetail } from '../pattern-types.ts';
import { href } from '../router.ts';
import { scopeLabel, useWho } from '../who.ts';
import { useApi } from '../use-api.ts';

export function PatternPage({ id }: { id: string }) {
  const detail = useApi<PatternDetail>(`/v1/patterns/${encodeURIComponent(id)}`);
  return (
    <>
      <p><a href={href('patterns')}>← All patterns</a></p>
      {detail.error?.status === 404
        ? <div class="notice error" role="alert"><p><strong>No such pattern for this key.</strong> It is not visible to this key, or the link is from an earlier index build (pattern ids change with every build): find it again in <a href={href('patterns')}>the list</a>.</p></div>
        : <ErrorNotice error={detail.error} what="Pattern" />}
      <Loading when={detail.loading && !detail.data} />
      {detail.data && <PatternView d={detail.data} />}
    </>
  );
}

function PatternView({ d }: { d: PatternDetail }) {
  const who = useWho();
  const p = d.pattern;
  const history = useMemo(() => [...d.history].map((h) => ({ ...h, t: new Date(h.built_at).getTime() / 1000 })).sort((a, b) => a.t - b.t), [d.history]);
  const x = useMemo(() => history.map((h) => h.t), [history]);
  const series = useMemo(() => [
    { label: 'success rate', values: history.map((h) => h.success_rate), color: '#1d4ed8' },
  ], [history]);
  const liftSeries = useMemo(() => [{ label: 'lift', values: history.map((h) => h.lift), color: '#b45309' }], [history]);
  return (
    <>
      <h1 data-testid="pattern-title">{p.description}</h1>
      <p><Badge tone={p.kind === 'anti' ? 'bad' : 'good'}>{p.kind === 'anti' ? 'anti-pattern' : 'success pattern'}</Badge> <Badge tone={p.scope === 'private' ? 'info' : 'neutral'}>{scopeLabel(p.scope, who)}</Badge></p>
      <div class="grid-2">
        <Section title="Figures" id="pattern-figures">
          <dl class="facts">
            <dt>Success rate</dt><dd>{pct(p.success_rate)} <span class="muted">[{pct(p.confidence_interval[0])}–{pct(p.confidence_interval[1])}]</span><RateBar rate={p.success_rate} interval={p.confidence_interval} max={Math.max(p.confidence_interval[1], 0.01) * 1.2} label="Success rate" /></dd>
            <dt>Lift (within client)</dt><dd>{times(p.lift)} <span class="muted">({times(p.lift_interval[0])}–{times(p.lift_interval[1])}); unadjusted {times(p.raw_lift)}</span></dd>
            <dt>Touches · conversions</dt><dd>{num(p.sample_size)} · {num(p.conversions)}</dd>
            <dt>Clients · campaigns</dt><dd>{p.distinct_clients} · {p.campaigns}</dd>
            <dt>Industries</dt><dd>{p.industries.join(', ') || '–'}</dd>
          </dl>
        </Section>
        <Section title="Conditions" id="pattern-conditions">
          <table><caption class="sr-only">The pattern's conditions</caption>
            <thead><tr><th scope="col">Attribute</th><th scope="col">Value</th></tr></thead>
            <tbody>{Object.entries(p.conditions).map(([k, v]) => <tr key={k}><th scope="row">{k}</th><td>{String(v)}</td></tr>)}</tbody>
          </table>
        </Section>
      </div>
      <Section title="Over time" id="pattern-history">
        {history.length === 0 ? <p>No earlier index build holds this pattern.</p> : (
          <>
            {history.length > 1 && <div class="grid-2">
              <LineChart x={x} series={series} time xLabel="index built" yLabel="success rate" summary={`Success rate over ${history.length} index builds, from ${pct(history[0]?.success_rate)} to ${pct(history.at(-1)?.success_rate)}`} />
              <LineChart x={x} series={liftSeries} time xLabel="index built" yLabel="lift" summary={`Lift over ${history.length} index builds, from ${times(history[0]?.lift)} to ${times(history.at(-1)?.lift)}`} />
            </div>}
            <div class="table-wrap"><table><caption class="sr-only">The pattern in each index build</caption>
              <thead><tr><th scope="col">Index</th><th scope="col">Built</th><th scope="col" class="num">Touches</th><th scope="col" class="num">Success rate</th><th scope="col" class="num">Lift</th><th scope="col" class="num">Clients</th></tr></thead>
              <tbody>{history.map((h) => <tr key={h.index_version}><th scope="row">{h.index_version}</th><td>{when(h.built_at)}</td><td class="num">{num(h.sample_size)}</td><td class="num">{pct(h.success_rate)}</td><td class="num">{times(h.lift)}</td><td class="num">{h.distinct_clients}</td></tr>)}</tbody>
            </table></div>
          </>
        )}
      </Section>
      <Section title={who?.kind === 'tenant' ? 'Your campaigns that match it' : 'Campaigns that match it'} id="pattern-campaigns">
        {d.campaigns === null ? <p class="notice" role="status">Campaigns unavailable: the graph store cannot be reached right now.</p>
          : p.kind === 'anti' ? <p>Campaigns are listed for success patterns only.</p>
          : d.campaigns.length === 0 ? <p data-testid="no-campaigns">None of the campaigns this key may see match this pattern.</p> : (
          <div class="table-wrap"><table data-testid="pattern-campaigns"><caption class="sr-only">Matching campaigns</caption>
            <thead><tr><th scope="col">Campaign</th><th scope="col">Client</th><th scope="col" class="num">Touches</th><th scope="col" class="num">Conversions</th><th scope="col" class="num">Success rate</th></tr></thead>
            <tbody>{d.campaigns.map((c) => <tr key={c.campaign_id}><th scope="row">{c.campaign_id}</th><td>{c.client_id}</td><td class="num">{num(c.touches)}</td><td class="num">{num(c.conversions)}</td><td class="num">{pct(c.success_rate)}</td></tr>)}</tbody>
          </table></div>
        )}
      </Section>
    </>
  );
}
