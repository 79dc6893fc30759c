/** GET /v1/dags/runs over run records written by the real DAG runner (and one written before attempts were kept). */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { defineDag } from '../../dags/dag.ts';
import { runDag } from '../../dags/dag-runner.ts';
import { saveRun } from '../../dags/run-history.ts';
import { buildApp } from '../../serving/app.ts';
import { bearer } from './auth-keys.ts';
import { fakeDeps, type FakeWorld } from './serving-fakes.ts';

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

async function start(): Promise<FakeWorld & { app: FastifyInstance }> {
  const w = await fakeDeps();
  app = await buildApp(w.deps, { poll: false });
  return { ...w, app };
}

const flaky = defineDag({ name: 'retrain', description: '', tasks: [
  { id: 'train', retries: 2, backoff: { baseMs: 1, maxMs: 2 }, run: async (ctx) => { if (ctx.attempt < 2) throw new Error('disk busy'); return 1; } },
  { id: 'promote', dependsOn: ['train'], run: async () => { throw new Error('gate said no'); } },
  { id: 'reindex', dependsOn: ['promote'], run: async () => 1 },
] });

describe('GET /v1/dags/runs', () => {
  it('lists runs newest first with every task\'s state and attempts, times and errors', async () => {
    const w = await start();
    const first = await runDag(w.config, flaky);
    const second = await runDag(w.config, flaky);
    const r = await w.app.inject({ method: 'GET', url: '/v1/dags/runs?dag=retrain', headers: bearer(w.keys.admin) });
    expect(r.statusCode).toBe(200);
    const { runs } = r.json();
    expect(runs.map((x: { run_id: string }) => x.run_id)).toEqual([second.runId, first.runId]);
    const run = runs[0];
    expect(run).toMatchObject({ dag: 'retrain', state: 'failed', started_at: second.startedAt, finished_at: second.finishedAt });
    expect(run.tasks.map((t: { task: string; state: string }) => [t.task, t.state])).toEqual([['train', 'success'], ['promote', 'failed'], ['reindex', 'skipped']]);
    const train = run.tasks[0].attempts;
    expect(train.map((a: { attempt: number; state: string; error: string | null }) => [a.attempt, a.state, a.error])).toEqual([[1, 'failed', 'disk busy'], [2, 'success', null]]);
    expect(train.every((a: { started_at: string; finished_at: string }) => a.started_at && a.finished_at >= a.started_at)).toBe(true);
    expect(run.tasks[1].attempts).toEqual([expect.objectContaining({ attempt: 1, state: 'failed', error: 'gate said no' })]);
    expect(run.tasks[2].attempts).toEqual([]);
    expect((await w.app.inject({ method: 'GET', url: '/v1/dags/runs?limit=1', headers: bearer(w.keys.admin) })).json().runs).toHaveLength(1);
  });

  it('shows a run recorded before attempts were kept with their count, the last one with the task\'s outcome', async () => {
    const w = await start();
    await saveRun(w.config, {
      dag: 'nightly', runId: '20240101T000000000Z-aaaaaa', trigger: 'schedule', state: 'success', startedAt: '2024-01-01T00:00:00.000Z', finishedAt: '2024-01-01T00:01:00.000Z', pid: 1,
      tasks: [{ id: 'train', state: 'success', attempts: 2, startedAt: '2024-01-01T00:00:00.000Z', durationMs: 5_000 }],
    });
    const { runs } = (await w.app.inject({ method: 'GET', url: '/v1/dags/runs', headers: bearer(w.keys.admin) })).json();
    expect(runs).toEqual([{
      run_id: '20240101T000000000Z-aaaaaa', dag: 'nightly', started_at: '2024-01-01T00:00:00.000Z', finished_at: '2024-01-01T00:01:00.000Z', state: 'success',
      tasks: [{ task: 'train', state: 'success', attempts: [
        { attempt: 1, started_at: null, finished_at: null, state: 'failed', error: null },
        { attempt: 2, started_at: null, finished_at: '2024-01-01T00:00:05.000Z', state: 'success', error: null },
      ] }],
    }]);
  });

  it('is [] without runs, 400 on a bad query, 403 for a tenant key', async () => {
    const w = await start();
    expect((await w.app.inject({ method: 'GET', url: '/v1/dags/runs', headers: bearer(w.keys.admin) })).json()).toEqual({ runs: [] });
    const bad = await w.app.inject({ method: 'GET', url: '/v1/dags/runs?dag=../etc&limit=1000', headers: bearer(w.keys.admin) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.issues).toEqual([
      { path: 'query.dag', reason: 'expected a DAG name (lowercase letters, digits and \'-\', such as retrain), got "../etc"' },
      { path: 'query.limit', reason: 'expected an integer from 1 to 200, got "1000"' },
    ]);
    expect((await w.app.inject({ method: 'GET', url: '/v1/dags/runs', headers: bearer(w.keys.byClient.c1!) })).statusCode).toBe(403);
  });
});
