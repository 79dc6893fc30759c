import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, type Whoami } from '../api.ts';
import { Badge, ErrorNotice, Section } from '../components/notice.tsx';
import { RateBar, ShareBar } from '../components/rate-bar.tsx';
import { num, pct, times } from '../format.ts';
import { href } from '../router.ts';
import type { PatternFigures } from '../pattern-types.ts';
import { scopeLabel, useWho } from '../who.ts';

const OBJECTIVES = ['awareness', 'traffic', 'leads', 'sales', 'retention'];
const CHANNELS = ['email', 'display', 'social', 'search', 'phone', 'sms', 'push', 'direct_mail', 'video'];
/** Suggestions only (any value is accepted): the demo world's vocabulary. */
const INDUSTRIES = ['retail', 'travel', 'finance', 'telecom', 'education', 'healthcare', 'automotive', 'media', 'insurance', 'hospitality'];
const SEGMENTS = ['young_urban', 'families', 'seniors', 'students', 'professionals', 'bargain_hunters', 'luxury_seekers', 'rural'];
const OFFERS = ['discount', 'free_shipping', 'trial', 'bundle', 'loyalty_points', 'none'];
const CREATIVES = ['video', 'carousel', 'static', 'text'];

interface Prediction {
  probability: number;
  model_version: number;
  features_missing: string[];
  audience?: { segment: string; probability: number }[];
  degraded?: string[];
}

interface PatternHit extends PatternFigures {
  match: 'applies' | 'neighbour';
  similarity: number;
  own: { sample_size: number; success_rate: number; lift: number } | null;
  score: number;
  explanation: string;
}

interface AntiHit {
  pattern_id: string;
  description: string;
  success_rate: number;
  sample_size: number;
  distinct_clients: number;
  lift: number;
  explanation: string;
}

interface Search {
  patterns: PatternHit[];
  anti_patterns: AntiHit[];
  served_by: 'full' | 'vector_only' | 'popular_patterns';
  model_version: number | null;
  index_version: string | null;
  candidates: number;
}

const SERVED_BY: Record<Search['served_by'], string> = {
  full: 'full search (vector index, graph evidence, model rerank)',
  vector_only: 'vector index only (the graph or the model was unavailable)',
  popular_patterns: 'popular patterns (the vector index was unavailable)',
};

const today = () => new Date().toISOString().slice(0, 10);
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);

interface Form {
  client: string;
  industry: string;
  objective: string;
  channel: string;
  budget: string;
  offer: string;
  creative: string;
  segments: string;
  start: string;
  end: string;
}

export function PlanPage({ who }: { who: Whoami }) {
  const [form, setForm] = useState<Form>({
    client: '', industry: 'retail', objective: 'sales', channel: 'email', budget: '1000', offer: 'discount', creative: 'video', segments: 'families, young_urban', start: today(), end: inDays(14),
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [result, setResult] = useState<{ prediction: Prediction | ApiError; search: Search | ApiError } | undefined>();
  const set = (k: keyof Form) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const tenant = who.kind === 'tenant';

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const segments = form.segments.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const plan: Record<string, unknown> = {
      industry: form.industry.trim(), objective: form.objective, channel: form.channel, budget: Number(form.budget),
      start: form.start, end: form.end,
      attributes: { ...(form.offer ? { offer: form.offer.trim() } : {}), ...(form.creative ? { creative: form.creative.trim() } : {}), ...(segments[0] ? { target_segment: segments[0] } : {}) },
      audience: segments.map((segment) => ({ segment })),
    };
    if (!tenant) plan.client_id = form.client.trim();
    const settle = <T,>(p: Promise<T>) => p.catch((x: unknown) => (x instanceof ApiError ? x : new ApiError(0, 'CLIENT', String(x))));
    const [prediction, search] = await Promise.all([
      settle(api<Prediction>('/v1/predict', { method: 'POST', body: { plan } })),
      settle(api<Search>('/v1/patterns/search', { method: 'POST', body: { plan, top_n: 10 } })),
    ]);
    if (prediction instanceof ApiError && search instanceof ApiError && prediction.code === search.code) setError(prediction);
    else setResult({ prediction, search });
    setBusy(false);
  };

  return (
    <>
      <h1>Plan a campaign</h1>
      <p class="lead">Describe a campaign you are considering: the model predicts its success probability per audience segment, and the proven patterns closest to it are ranked below.</p>
      <form class="card form-grid" onSubmit={submit} aria-describedby="plan-help">
        <p id="plan-help" class="muted span-all">Dates are days in UTC. Segments: a comma-separated list; each is one audience segment of the plan.</p>
        {tenant
          ? <div class="field"><span class="label">Client</span><span class="value" data-testid="plan-client">{who.tenant}</span><span class="hint">from your key</span></div>
          : <Field id="plan-client" label="Client id" hint="an admin key names the client"><input id="plan-client" required value={form.client} onInput={set('client')} placeholder="e.g. s7-cl001" /></Field>}
        <Field id="plan-industry" label="Industry"><input id="plan-industry" required list="industries" value={form.industry} onInput={set('industry')} /></Field>
        <Field id="plan-objective" label="Objective"><select id="plan-objective" value={form.objective} onChange={set('objective')}>{OBJECTIVES.map((o) => <option key={o} value={o}>{o}</option>)}</select></Field>
        <Field id="plan-channel" label="Channel"><select id="plan-channel" value={form.channel} onChange={set('channel')}>{CHANNELS.map((o) => <option key={o} value={o}>{o.replace('_', ' ')}</option>)}</select></Field>
        <Field id="plan-budget" label="Budget"><input id="plan-budget" type="number" min="0" step="any" required value={form.budget} onInput={set('budget')} /></Field>
        <Field id="plan-offer" label="Offer"><input id="plan-offer" list="offers" value={form.offer} onInput={set('offer')} /></Field>
        <Field id="plan-creative" label="Creative"><input id="plan-creative" list="creatives" value={form.creative} onInput={set('creative')} /></Field>
        <Field id="plan-segments" label="Audience segments"><input id="plan-segments" required list="segments" value={form.segments} onInput={set('segments')} /></Field>
        <Field id="plan-start" label="Start"><input id="plan-start" type="date" required value={form.start} onInput={set('start')} /></Field>
        <Field id="plan-end" label="End"><input id="plan-end" type="date" required value={form.end} onInput={set('end')} /></Field>
        <datalist id="industries">{INDUSTRIES.map((v) => <option key={v} value={v} />)}</datalist>
        <datalist id="segments">{SEGMENTS.map((v) => <option key={v} value={v} />)}</datalist>
        <datalist id="offers">{OFFERS.map((v) => <option key={v} value={v} />)}</datalist>
        <datalist id="creatives">{CREATIVES.map((v) => <option key={v} value={v} />)}</datalist>
        <div class="span-all actions"><button type="submit" disabled={busy}>{busy ? 'Asking…' : 'Predict and find patterns'}</button></div>
      </form>
      <ErrorNotice error={error} what="The plan" />
      {result && <PlanResult prediction={result.prediction} search={result.search} />}
    </>
  );
}

function Field({ id, label, hint, wide, children }: { id: string; label: string; hint?: string; wide?: boolean; children: ComponentChildren }) {
  return (
    <div class={`field${wide ? ' wide' : ''}`}>
      <label for={id}>{label}</label>
      {children}
      {hint && <span class="hint">{hint}</span>}
    </div>
  );
}

function PlanResult({ prediction, search }: { prediction: Prediction | ApiError; search: Search | ApiError }) {
  return (
    <div class="results" aria-live="polite">
      <Section title="Predicted success" id="prediction-title">
        {prediction instanceof ApiError ? <ErrorNotice error={prediction} what="Prediction" /> : <PredictionView p={prediction} />}
      </Section>
      <Section title="Ranked patterns" id="patterns-title">
        {search instanceof ApiError ? <ErrorNotice error={search} what="Pattern search" /> : <SearchView s={search} />}
      </Section>
    </div>
  );
}

function PredictionView({ p }: { p: Prediction }) {
  const segments = p.audience ?? [];
  const max = Math.max(...segments.map((s) => s.probability), 0);
  return (
    <>
      <p class="big" data-testid="probability">{pct(p.probability, 2)} <span class="muted small">mean over the plan's audience · model v{p.model_version}</span></p>
      {segments.length > 0 && (
        <div class="table-wrap"><table class="bars">
          <caption class="sr-only">Success probability per audience segment</caption>
          <thead><tr><th scope="col">Segment</th><th scope="col" class="num">Probability</th><th scope="col"><span class="sr-only">Bar</span></th></tr></thead>
          <tbody>{segments.map((s) => <tr key={s.segment}><th scope="row">{s.segment}</th><td class="num">{pct(s.probability, 2)}</td><td class="bar-cell"><ShareBar value={s.probability} max={max} label={`${s.segment}: ${pct(s.probability, 2)}`} /></td></tr>)}</tbody>
        </table></div>
      )}
      {p.features_missing.length > 0 && (
        <details class="notice warn-box"><summary>{p.features_missing.length} features had no fresh value (defaults used)</summary><p class="small">{p.features_missing.join(', ')}</p></details>
      )}
      {p.degraded && p.degraded.length > 0 && <p class="notice" role="status">Degraded: {p.degraded.join(', ')}</p>}
    </>
  );
}

function SearchView({ s }: { s: Search }) {
  const who = useWho();
  const max = Math.max(...s.patterns.map((p) => p.confidence_interval[1]), 0.01);
  return (
    <>
      <p class="muted" data-testid="served-by">Served by: <strong>{SERVED_BY[s.served_by]}</strong> · {s.candidates} candidates · index {s.index_version ?? '–'} · model {s.model_version === null ? '–' : `v${s.model_version}`}</p>
      {s.anti_patterns.length > 0 && (
        <div class="notice error" role="alert">
          <p><strong>Warning: the plan matches {s.anti_patterns.length} anti-pattern{s.anti_patterns.length > 1 ? 's' : ''}</strong> (significantly worse than the same clients' other touches)</p>
          <ul>{s.anti_patterns.map((a) => <li key={a.pattern_id}>{a.description}: {pct(a.success_rate)}, {times(a.lift)} over {num(a.sample_size)} touches, {a.distinct_clients} clients</li>)}</ul>
        </div>
      )}
      {s.patterns.length === 0 ? <p>No proven pattern is close to this plan.</p> : (
        <ol class="patterns" data-testid="ranked-patterns">
          {s.patterns.map((p, i) => (
            <li key={p.pattern_id} class="pattern">
              <div class="pattern-head">
                <span class="rank" aria-hidden="true">{i + 1}</span>
                <a href={href('patterns', p.pattern_id)} class="pattern-title">{p.description}</a>
                <Badge tone={p.scope === 'private' ? 'info' : 'good'}>{scopeLabel(p.scope, who)}</Badge>
                <Badge tone={p.match === 'applies' ? 'good' : 'neutral'}>{p.match === 'applies' ? 'applies to the plan' : 'neighbour'}</Badge>
              </div>
              <div class="pattern-figures">
                <div class="figure-rate"><span class="label">Success rate</span> <strong>{pct(p.success_rate)}</strong> <span class="muted">[{pct(p.confidence_interval[0])}–{pct(p.confidence_interval[1])}]</span>
                  <RateBar rate={p.success_rate} interval={p.confidence_interval} max={max} label={`Success rate of ${p.description}`} /></div>
                <dl class="inline">
                  <div><dt>Lift</dt><dd>{times(p.lift)} <span class="muted">({times(p.lift_interval[0])}–{times(p.lift_interval[1])})</span></dd></div>
                  <div><dt>Clients</dt><dd>{p.distinct_clients}</dd></div>
                  <div><dt>Touches</dt><dd>{num(p.sample_size)}</dd></div>
                  <div><dt>Score</dt><dd>{p.score.toFixed(3)}</dd></div>
                </dl>
              </div>
              <p class="explanation">{p.explanation}</p>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
