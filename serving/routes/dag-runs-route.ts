/**
 * GET /v1/dags/runs (admin): the DAGs' persisted run history (core/dag-runs/dag-run-record.ts, the
 * file the runner writes), newest first, each task with its attempts. Runs recorded before the
 * runner kept its attempts show their count with unknown times (null), the last one with the
 * task's outcome.
 */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { dagsWithRuns, listRuns, type DagRun, type TaskRun } from '../../core/dag-runs/dag-run-record.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { authResponses } from '../schemas/auth-responses.ts';
import { dagRunsQuerySchema, dagRunsResponseSchema } from '../schemas/dag-runs-schema.ts';
import { docSchema } from '../schemas/json-schema.ts';
import { errorSchema } from '../schemas/plan-schema.ts';
import type { ServingRuntime } from '../serving-runtime.ts';

type ShownRun = z.output<typeof dagRunsResponseSchema>['runs'][number];
type ShownAttempt = ShownRun['tasks'][number]['attempts'][number];

function attemptsOf(t: TaskRun): ShownAttempt[] {
  if (t.attemptLog !== undefined) {
    return t.attemptLog.map((a) => ({ attempt: a.attempt, started_at: a.startedAt, finished_at: a.finishedAt ?? null, state: a.state, error: a.error?.message ?? null }));
  }
  const out: ShownAttempt[] = [];
  for (let n = 1; n < t.attempts; n++) out.push({ attempt: n, started_at: null, finished_at: null, state: 'failed', error: null });
  if (t.attempts >= 1) {
    const done = t.state === 'success' || t.state === 'failed';
    const end = t.startedAt !== undefined && t.durationMs !== undefined && done ? new Date(Date.parse(t.startedAt) + t.durationMs).toISOString() : null;
    out.push({ attempt: t.attempts, started_at: t.attempts === 1 ? t.startedAt ?? null : null, finished_at: end, state: done ? t.state as 'success' | 'failed' : 'running', error: t.error?.message ?? null });
  }
  return out;
}

export function shownRun(r: DagRun): ShownRun {
  return {
    run_id: r.runId, dag: r.dag, started_at: r.startedAt, finished_at: r.finishedAt ?? null, state: r.state,
    tasks: r.tasks.map((t) => ({ task: t.id, state: t.state, attempts: attemptsOf(t) })),
  };
}

export function registerDagRunsRoute(app: FastifyInstance, rt: ServingRuntime): void {
  app.get('/v1/dags/runs', {
    config: { auth: 'admin' },
    schema: {
      summary: 'DAG runs, newest first, with each task\'s state and attempts (admin key)',
      tags: ['pipelines'], security: [{ bearer: [] }], querystring: docSchema(dagRunsQuerySchema),
      response: { 200: docSchema(dagRunsResponseSchema, 'output'), 400: docSchema(errorSchema), ...authResponses() },
    },
  }, async (request) => {
    const { dag, limit } = parseOrThrow(dagRunsQuerySchema, request.query ?? {}, 'DAG runs query', 'query');
    const config = rt.deps.config;
    const dags = dag === undefined ? await dagsWithRuns(config) : [dag];
    const runs = (await Promise.all(dags.map((d) => listRuns(config, d, limit)))).flat()
      .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))
      .slice(0, limit);
    return { runs: runs.map(shownRun) };
  });
}
