import { useMemo, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { LineChart } from '../components/line-chart.tsx';
import { Badge, ErrorNotice, Loading, Section } from '../components/notice.tsx';
import { fixed, num, when } from '../format.ts';
import type { ModelDetail, ModelList, ModelVersion, PromotionDecision } from '../model-types.ts';
import { useApi } from '../use-api.ts';

export function ModelsPage() {
  const list = useApi<ModelList>('/v1/models');
  const [picked, setPicked] = useState<number | undefined>();
  const versions = useMemo(() => [...(list.data?.versions ?? [])].sort((a, b) => b.version - a.version), [list.data]);
  const champion = versions.find((v) => v.aliases.includes('champion'));
  // the champion's by default; pinned once the user acts on a version, so a promotion or rollback
  // that moves the champion leaves the page (and its decision) where it is
  const selected = picked ?? champion?.version ?? versions[0]?.version;
  return (
    <>
      <h1>Models</h1>
      <ErrorNotice error={list.error} what="Models" />
      <Loading when={list.loading && !list.data} />
      {list.data && (
        <>
          <p class="lead" data-testid="serving">Serving model {list.data.serving.model_version === null ? 'none' : <strong>v{list.data.serving.model_version}</strong>} and pattern index <code>{list.data.serving.index_version ?? 'none'}</code>.</p>
          <Section title="Versions" id="versions-title">
            <div class="table-wrap">
              <table data-testid="versions-table">
                <caption class="sr-only">Registered model versions, newest first</caption>
                <thead><tr><th scope="col">Version</th><th scope="col">Aliases</th><th scope="col">Family</th><th scope="col">Registered</th><th scope="col" class="num">ROC-AUC</th><th scope="col" class="num">PR-AUC</th><th scope="col" class="num">Log loss</th><th scope="col"><span class="sr-only">Details</span></th></tr></thead>
                <tbody>
                  {versions.map((v) => (
                    <tr key={v.version} class={v.version === selected ? 'selected' : ''}>
                      <th scope="row">v{v.version}</th>
                      <td>{v.aliases.length === 0 ? <span class="muted">–</span> : v.aliases.map((a) => <Badge key={a} tone={a === 'champion' ? 'good' : 'neutral'}>{a}</Badge>)}</td>
                      <td>{v.family ?? '–'}</td>
                      <td>{when(v.created_at)}</td>
                      <td class="num">{fixed(v.metrics.roc_auc)}</td>
                      <td class="num">{fixed(v.metrics.pr_auc)}</td>
                      <td class="num">{fixed(v.metrics.log_loss)}</td>
                      <td><button type="button" class="small-button" aria-pressed={v.version === selected} onClick={() => setPicked(v.version)}>Show v{v.version}</button></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Section>
          {selected !== undefined && <VersionView key={selected} version={selected} summary={versions.find((v) => v.version === selected)} onChange={() => { setPicked(selected); list.reload(); }} />}
        </>
      )}
    </>
  );
}

function VersionView({ version, summary, onChange }: { version: number; summary: ModelVersion | undefined; onChange: () => void }) {
  const detail = useApi<ModelDetail>(`/v1/models/${version}`);
  const v: ModelVersion | undefined = detail.data ?? summary;
  if (!v) return <Loading when />;
  return (
    <>
      <h2 class="version-title">Model v{v.version} <span class="muted small">{v.name} · {v.family ?? ''}</span></h2>
      <Actions version={v} onChange={() => { onChange(); detail.reload(); }} />
      {detail.error && detail.error.status !== 404 && <ErrorNotice error={detail.error} what={`Model v${version}`} />}
      <div class="grid-2">
        <Section title="Holdout metrics" id="metrics-title">
          <dl class="facts">
            <dt>ROC-AUC</dt><dd>{fixed(v.metrics.roc_auc)} <span class="muted">(baseline {fixed(v.metrics.baseline?.roc_auc)})</span></dd>
            <dt>PR-AUC</dt><dd>{fixed(v.metrics.pr_auc)} <span class="muted">(baseline {fixed(v.metrics.baseline?.pr_auc)})</span></dd>
            <dt>Log loss</dt><dd>{fixed(v.metrics.log_loss)} <span class="muted">(baseline {fixed(v.metrics.baseline?.log_loss)})</span></dd>
            <dt>Holdout</dt><dd>{num(v.metrics.holdout_rows)} touches, {num(v.metrics.holdout_positives)} conversions</dd>
          </dl>
        </Section>
        <Section title="Lineage" id="lineage-title"><Lineage v={v} /></Section>
      </div>
      <Curves detail={detail.data} summary={v} missing={detail.error?.status === 404} />
      <Section title="Leaderboard of candidates" id="leaderboard-title">
        {v.leaderboard.length === 0 ? <p>No leaderboard was registered with this version.</p> : (
          <div class="table-wrap">
            <table data-testid="leaderboard">
              <caption class="sr-only">Candidates tried when training this version, best validation ROC-AUC first</caption>
              <thead><tr><th scope="col">Candidate</th><th scope="col">Family</th><th scope="col" class="num">Validation ROC-AUC</th><th scope="col" class="num">Validation log loss</th><th scope="col" class="num">Holdout ROC-AUC</th><th scope="col" class="num">Holdout PR-AUC</th><th scope="col" class="num">Fit</th><th scope="col">Served</th></tr></thead>
              <tbody>
                {[...v.leaderboard].sort((a, b) => (b.validation.roc_auc ?? 0) - (a.validation.roc_auc ?? 0)).map((c) => (
                  <tr key={c.candidate} class={c.served ? 'selected' : ''}>
                    <th scope="row">{c.candidate}</th><td>{c.family}</td>
                    <td class="num">{fixed(c.validation.roc_auc)}</td><td class="num">{fixed(c.validation.log_loss)}</td>
                    <td class="num">{fixed(c.holdout.roc_auc)}</td><td class="num">{fixed(c.holdout.pr_auc)}</td>
                    <td class="num">{c.fit_seconds === undefined ? '–' : `${c.fit_seconds.toFixed(1)} s`}</td>
                    <td>{c.served ? <Badge tone="good">served</Badge> : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </>
  );
}

function Lineage({ v }: { v: ModelVersion }) {
  const l = v.lineage;
  const offsets = Object.entries(l.eventLogOffsets ?? {});
  return (
    <dl class="facts" data-testid="lineage">
      <dt>Training set</dt><dd><code>{l.trainingSetId ?? '–'}</code></dd>
      <dt>Range</dt><dd>{l.trainingRange ? <>{when(l.trainingRange.from)} → {when(l.trainingRange.to)}</> : '–'}</dd>
      <dt>Feature views</dt><dd>{(l.featureViews ?? []).map((f) => `${f.name} v${f.version}`).join(', ') || '–'}</dd>
      <dt>Event log offsets</dt><dd>{offsets.length === 0 ? '–' : offsets.map(([p, o]) => `p${p}: ${num(o)}`).join(' · ')}</dd>
      <dt>Code version</dt><dd><code>{l.codeVersion ?? '–'}</code></dd>
      <dt>Features</dt><dd>{v.features.length} ({v.features.filter((f) => f.type === 'categorical').length} categorical)</dd>
    </dl>
  );
}

function Curves({ detail, summary, missing }: { detail: ModelDetail | undefined; summary: ModelVersion; missing: boolean }) {
  const roc = detail?.curves?.roc ?? null;
  // the registry's calibration bins (every version has them); the stored curve when there is one
  const calibration = useMemo(() => detail?.curves?.calibration
    ?? (summary.metrics.calibration ?? []).map((b) => ({ predicted: b.mean_predicted, observed: b.observed_rate, count: b.count })), [detail, summary]);
  const rocData = useMemo(() => {
    if (!roc || roc.length === 0) return undefined;
    const pts = [...roc].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return { x: pts.map((p) => p[0]), series: [
      { label: 'ROC', values: pts.map((p) => p[1]), color: '#1d4ed8' },
      { label: 'chance', values: pts.map((p) => p[0]), color: '#6b7280', dash: [6, 4] },
    ] };
  }, [roc]);
  const calData = useMemo(() => {
    if (calibration.length === 0) return undefined;
    const pts = [...calibration].sort((a, b) => a.predicted - b.predicted);
    const top = Math.min(1, Math.max(...pts.map((p) => Math.max(p.predicted, p.observed))) * 1.1);
    return { x: pts.map((p) => p.predicted), top, series: [
      { label: 'observed', values: pts.map((p) => p.observed), color: '#b45309', points: true },
      { label: 'perfect', values: pts.map((p) => p.predicted), color: '#6b7280', dash: [6, 4] },
    ] };
  }, [calibration]);
  return (
    <div class="grid-2">
      <Section title="ROC curve" id="roc-title">
        {rocData
          ? <LineChart x={rocData.x} series={rocData.series} xLabel="false positive rate" yLabel="true positive rate" xRange={[0, 1]} yRange={[0, 1]} summary={`ROC curve on the holdout: ROC-AUC ${fixed(summary.metrics.roc_auc)} over ${rocData.x.length} thresholds`} />
          : <p class="muted" data-testid="no-roc">{missing ? 'This server does not serve model curves yet.' : detail ? 'No ROC curve was stored with this version (registered before curves were kept).' : 'Loading…'}</p>}
      </Section>
      <Section title="Calibration" id="calibration-title">
        {calData
          ? <LineChart x={calData.x} series={calData.series} xLabel="mean predicted probability" yLabel="observed rate" xRange={[0, calData.top]} yRange={[0, calData.top]} summary={`Calibration on the holdout: ${calibration.length} bins, ${num(calibration.reduce((s, b) => s + b.count, 0))} touches`} />
          : <p class="muted">No calibration bins were stored with this version.</p>}
      </Section>
    </div>
  );
}

function Actions({ version, onChange }: { version: ModelVersion; onChange: () => void }) {
  const [force, setForce] = useState(false);
  const [busy, setBusy] = useState(false);
  const [decision, setDecision] = useState<PromotionDecision | { rolledBack: { version: number; alias: string } } | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const isChampion = version.aliases.includes('champion');
  const run = async (fn: () => Promise<typeof decision>) => {
    setBusy(true);
    setError(undefined);
    setDecision(undefined);
    try {
      setDecision(await fn());
      onChange();
    } catch (e) {
      setError(e as ApiError);
    }
    setBusy(false);
  };
  return (
    <div class="card actions-card" role="group" aria-labelledby="actions-title">
      <h3 id="actions-title">Promotion</h3>
      <div class="actions">
        <button type="button" disabled={busy || isChampion} data-testid="promote" onClick={() => run(() => api<PromotionDecision>(`/v1/models/${version.version}/promote`, { method: 'POST', body: { alias: 'champion', force } }))}>
          {isChampion ? `v${version.version} is champion` : `Promote v${version.version} to champion`}
        </button>
        <label class="check"><input type="checkbox" checked={force} onChange={(e) => setForce(e.currentTarget.checked)} /> force (skip the promotion gate)</label>
        <button type="button" class="secondary" disabled={busy} data-testid="rollback" onClick={() => run(async () => ({ rolledBack: await api<{ version: number; alias: string }>('/v1/models/rollback', { method: 'POST', body: { alias: 'champion' } }) }))}>Roll back the champion</button>
      </div>
      <div role="status" aria-live="polite" data-testid="decision">
        {decision && 'rolledBack' in decision && <p class="notice">Rolled back: <strong>v{decision.rolledBack.version}</strong> is {decision.rolledBack.alias} again.</p>}
        {decision && 'promoted' in decision && (
          <div class={`notice ${decision.promoted ? 'ok' : 'warn-box'}`}>
            <p><strong>{decision.promoted ? `v${decision.version} is now ${decision.alias}` : `v${decision.version} was not promoted`}</strong></p>
            {decision.reasons.length > 0 && <ul>{decision.reasons.map((r) => <li key={r}>{r}</li>)}</ul>}
          </div>
        )}
      </div>
      <ErrorNotice error={error} what="Promotion" />
    </div>
  );
}
