import { useState } from 'preact/hooks';
import { query } from '../api.ts';
import { Badge, ErrorNotice, Loading } from '../components/notice.tsx';
import { RateBar } from '../components/rate-bar.tsx';
import { num, pct, times } from '../format.ts';
import type { PatternList } from '../pattern-types.ts';
import { href } from '../router.ts';
import { scopeLabel, useWho } from '../who.ts';
import { useApi } from '../use-api.ts';

const CHANNELS = ['email', 'display', 'social', 'search', 'phone', 'sms', 'push', 'direct_mail', 'video'];
const PAGE = 25;

interface Filters {
  kind: string;
  industry: string;
  channel: string;
  q: string;
}

export function PatternsPage() {
  const who = useWho();
  const [draft, setDraft] = useState<Filters>({ kind: 'success', industry: '', channel: '', q: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  const [offset, setOffset] = useState(0);
  const list = useApi<PatternList>(`/v1/patterns${query({ ...filters, limit: PAGE, offset })}`);
  const set = (k: keyof Filters) => (e: Event) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value });
  const rows = list.data?.patterns ?? [];
  const max = Math.max(...rows.map((p) => p.confidence_interval[1]), 0.01);
  const total = list.data?.total ?? 0;
  return (
    <>
      <h1>Patterns</h1>
      <p class="lead">The proven patterns this key may see: cross-client ones backed by enough clients, and your own private ones.</p>
      <form class="card form-grid" role="search" aria-label="Filter patterns" onSubmit={(e) => { e.preventDefault(); setOffset(0); setFilters(draft); }}>
        <div class="field"><label for="f-kind">Kind</label>
          <select id="f-kind" value={draft.kind} onChange={set('kind')}><option value="success">success patterns</option><option value="anti">anti-patterns</option><option value="">both</option></select></div>
        <div class="field"><label for="f-industry">Industry</label><input id="f-industry" value={draft.industry} onInput={set('industry')} placeholder="any" /></div>
        <div class="field"><label for="f-channel">Channel</label>
          <select id="f-channel" value={draft.channel} onChange={set('channel')}><option value="">any</option>{CHANNELS.map((c) => <option key={c} value={c}>{c.replace('_', ' ')}</option>)}</select></div>
        <div class="field"><label for="f-q">Text</label><input id="f-q" type="search" value={draft.q} onInput={set('q')} placeholder="e.g. discount" /></div>
        <div class="actions span-all"><button type="submit">Filter</button></div>
      </form>
      <ErrorNotice error={list.error} what="Patterns" />
      <Loading when={list.loading && !list.data} />
      {list.data && (
        <div class="card" aria-busy={list.stale}>
          <p class="muted" role="status" data-testid="patterns-total">{list.stale ? 'Loading…' : total === 0 ? 'No pattern matches.' : `${offset + 1}–${offset + rows.length} of ${num(total)} patterns`}</p>
          {rows.length > 0 && (
            <div class="table-wrap">
              <table data-testid="patterns-table">
                <caption class="sr-only">Patterns, best lift first</caption>
                <thead><tr><th scope="col">Pattern</th><th scope="col">Scope</th><th scope="col" class="num">Success rate</th><th scope="col" class="bar-col"><span class="sr-only">Interval</span></th><th scope="col" class="num">Lift</th><th scope="col" class="num">Clients</th><th scope="col" class="num">Touches</th></tr></thead>
                <tbody>
                  {rows.map((p) => (
                    <tr key={p.pattern_id}>
                      <th scope="row"><a href={href('patterns', p.pattern_id)}>{p.description}</a></th>
                      <td><Badge tone={p.scope === 'private' ? 'info' : 'good'}>{scopeLabel(p.scope, who)}</Badge></td>
                      <td class="num">{pct(p.success_rate)}</td>
                      <td class="bar-cell"><RateBar rate={p.success_rate} interval={p.confidence_interval} max={max} label={p.description} /></td>
                      <td class="num">{times(p.lift)}</td>
                      <td class="num">{p.distinct_clients}</td>
                      <td class="num">{num(p.sample_size)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div class="pager">
            <button type="button" disabled={list.stale || offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
            <button type="button" disabled={list.stale || offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>Next</button>
          </div>
        </div>
      )}
    </>
  );
}
