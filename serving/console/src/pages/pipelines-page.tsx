import { Badge, ErrorNotice, Loading, Section } from '../components/notice.tsx';
import { duration, num, when } from '../format.ts';
import { useApi } from '../use-api.ts';

interface Attempt { attempt: number; started_at: number | string | null; finished_at: number | string | null; state: string; error: string | null }
interface TaskRun { task: string; state: string; attempts: Attempt[] }
interface DagRun { run_id: string; dag: string; started_at: number | string | null; finished_at: number | string | null; state: string; tasks: TaskRun[] }
interface FeatureView { view: string; entity: string; window: string | number | null; last_window_end: number | string | null; lag_ms: number | null; online_rows: number | null; offline_rows: number | null }
interface LogState { topic?: string; partitions: { partition: number; start_offset?: number; end_offset: number }[]; groups: { group: string; partitions: { partition: number; committed: number | null; lag: number | null }[]; total_lag: number | null }[] }

const TONE: Record<string, 'good' | 'bad' | 'warn' | 'info' | 'neutral'> = { success: 'good', succeeded: 'good', failed: 'bad', running: 'info', retrying: 'warn', up_for_retry: 'warn', skipped: 'neutral', queued: 'neutral' };
const tone = (state: string) => TONE[state] ?? 'neutral';
const t = (v: number | string | null | undefined) => (v === null || v === undefined ? undefined : new Date(v).getTime());

export function PipelinesPage() {
  const runs = useApi<{ runs: DagRun[] }>('/v1/dags/runs?limit=20', 15_000);
  const views = useApi<{ views: FeatureView[] }>('/v1/features/views', 15_000);
  const log = useApi<LogState>('/v1/log', 15_000);
  return (
    <>
      <h1>Pipelines</h1>
      <Section title="DAG runs" id="runs-title">
        <ErrorNotice error={runs.error} what="DAG runs" />
        <Loading when={runs.loading && !runs.data} />
        {runs.data && (runs.data.runs.length === 0 ? <p>No DAG has run in this home yet (<code>almanac dags run retrain</code>).</p> : <Timeline runs={runs.data.runs} />)}
      </Section>
      <Section title="Feature views" id="views-title">
        <ErrorNotice error={views.error} what="Feature views" />
        <Loading when={views.loading && !views.data} />
        {views.data && (
          <div class="table-wrap"><table data-testid="views-table"><caption class="sr-only">Feature views and their freshness</caption>
            <thead><tr><th scope="col">View</th><th scope="col">Entity</th><th scope="col">Window</th><th scope="col">Last window end</th><th scope="col" class="num">Lag</th><th scope="col" class="num">Online rows</th><th scope="col" class="num">Offline rows</th></tr></thead>
            <tbody>{views.data.views.map((v) => <tr key={v.view}><th scope="row">{v.view}</th><td>{v.entity}</td><td>{typeof v.window === 'number' ? duration(v.window) : (v.window ?? '–')}</td><td>{when(v.last_window_end)}</td><td class="num">{duration(v.lag_ms)}</td><td class="num">{num(v.online_rows)}</td><td class="num">{num(v.offline_rows)}</td></tr>)}</tbody>
          </table></div>
        )}
      </Section>
      <Section title="Event log" id="log-title">
        <ErrorNotice error={log.error} what="Event log" />
        <Loading when={log.loading && !log.data} />
        {log.data && <LogView log={log.data} />}
      </Section>
    </>
  );
}

/** Each run a row; its tasks as bars placed on the run's own time axis, coloured by state. */
function Timeline({ runs }: { runs: DagRun[] }) {
  return (
    <ol class="timeline" data-testid="timeline">
      {runs.map((run) => {
        const start = t(run.started_at) ?? 0;
        const end = t(run.finished_at) ?? Math.max(start, ...run.tasks.flatMap((k) => k.attempts.map((a) => t(a.finished_at) ?? t(a.started_at) ?? start)));
        const span = Math.max(1, end - start);
        return (
          <li key={run.run_id} class="run">
            <div class="run-head"><strong>{run.dag}</strong> <code class="small">{run.run_id}</code> <Badge tone={tone(run.state)}>{run.state}</Badge> <span class="muted small">{when(run.started_at)} · {duration(end - start)}</span></div>
            <ul class="tasks">
              {run.tasks.map((task) => (
                <li key={task.task} class="task">
                  <span class="task-name">{task.task}</span>
                  <span class="task-track" role="img" aria-label={`${task.task}: ${task.state}, ${task.attempts.length} attempt${task.attempts.length === 1 ? '' : 's'}`}>
                    {task.attempts.map((a) => {
                      const s = t(a.started_at) ?? start;
                      const e = t(a.finished_at) ?? end;
                      return <span key={a.attempt} class={`task-bar ${tone(a.state)}`} style={{ left: `${((s - start) / span) * 100}%`, width: `${Math.max(0.8, ((e - s) / span) * 100)}%` }} title={`attempt ${a.attempt}: ${a.state} (${duration(e - s)})`} />;
                    })}
                  </span>
                  <Badge tone={tone(task.state)}>{task.state}</Badge>
                  {task.attempts.length > 1 && <span class="muted small">{task.attempts.length} attempts</span>}
                  {task.attempts.filter((a) => a.error).map((a) => <p key={a.attempt} class="task-error small">attempt {a.attempt}: {a.error}</p>)}
                </li>
              ))}
            </ul>
          </li>
        );
      })}
    </ol>
  );
}

function LogView({ log }: { log: LogState }) {
  return (
    <div class="grid-2">
      <div class="table-wrap"><table data-testid="partitions-table"><caption>Partitions{log.topic ? <> of <code>{log.topic}</code></> : ''}</caption>
        <thead><tr><th scope="col">Partition</th><th scope="col" class="num">Start offset</th><th scope="col" class="num">End offset</th></tr></thead>
        <tbody>{log.partitions.map((p) => <tr key={p.partition}><th scope="row">{p.partition}</th><td class="num">{num(p.start_offset)}</td><td class="num">{num(p.end_offset)}</td></tr>)}</tbody>
      </table></div>
      <div>
        {log.groups.length === 0 ? <p>No consumer group has committed yet.</p> : log.groups.map((g) => (
          <div class="table-wrap" key={g.group}><table><caption>Consumer group <code>{g.group}</code>: lag {num(g.total_lag)}</caption>
            <thead><tr><th scope="col">Partition</th><th scope="col" class="num">Committed</th><th scope="col" class="num">Lag</th></tr></thead>
            <tbody>{g.partitions.map((p) => <tr key={p.partition}><th scope="row">{p.partition}</th><td class="num">{num(p.committed)}</td><td class="num">{num(p.lag)}</td></tr>)}</tbody>
          </table></div>
        ))}
      </div>
    </div>
  );
}
