/**
 * A DAG as code: named tasks with dependencies, per-task retries (exponential backoff + full
 * jitter) and timeouts. `defineDag` validates the shape once (unique ids, known dependencies,
 * no cycles) and fixes a topological order.
 */
import type { AlmanacConfig } from '../core/config.ts';
import { AlmanacError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';

export type { RunState, TaskState } from '../core/dag-runs/dag-run-record.ts';

/** What a task's run function receives. */
export interface TaskContext {
  config: AlmanacConfig;
  dag: string;
  runId: string;
  taskId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted on timeout or when the run is cancelled; long work should check it. */
  signal: AbortSignal;
  log: Logger;
  /** The value returned by an upstream task (a dependency, direct or not). @throws when it has not run. */
  output<T>(taskId: string): T;
}

export interface BackoffOptions {
  /** First delay cap (ms); the n-th retry waits a random time in [0, min(maxMs, baseMs·2^(n-1))]. */
  baseMs: number;
  maxMs: number;
}

export interface DagTask<T = unknown> {
  id: string;
  description?: string;
  dependsOn?: string[];
  /** Extra attempts after the first failure (default 0). Non-retriable AlmanacErrors are not retried. */
  retries?: number;
  backoff?: BackoffOptions;
  /** Per-attempt timeout (ms); undefined = none. */
  timeoutMs?: number;
  run(ctx: TaskContext): Promise<T>;
  /** A small JSON summary of the output, kept in the run history. */
  summarize?(output: T): Record<string, unknown>;
}

export interface Dag {
  name: string;
  description: string;
  /** Cron expression (croner syntax, 5 or 6 fields); undefined = manual only. */
  schedule?: string;
  /** Tasks in a valid topological order (defineDag sorts them). */
  tasks: DagTask[];
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 30_000 };

const DAG_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * Validates and orders a DAG.
 * @throws AlmanacError ALMANAC_ERR_INPUT_INVALID naming the offending task or dependency.
 */
export function defineDag(dag: { name: string; description: string; schedule?: string; tasks: DagTask<any>[] }): Dag {
  if (!DAG_NAME.test(dag.name)) throw invalid(`DAG name '${dag.name}' must match ${DAG_NAME} (lowercase, digits, '-')`, 'name');
  const byId = new Map<string, DagTask>();
  for (const task of dag.tasks) {
    if (byId.has(task.id)) throw invalid(`DAG '${dag.name}': duplicate task id '${task.id}'`, `tasks.${task.id}`);
    byId.set(task.id, task);
  }
  for (const task of dag.tasks) {
    for (const dep of task.dependsOn ?? []) {
      if (!byId.has(dep)) throw invalid(`DAG '${dag.name}': task '${task.id}' depends on unknown task '${dep}'`, `tasks.${task.id}.dependsOn`);
    }
  }
  return { ...dag, tasks: topologicalOrder(dag.name, dag.tasks, byId) };
}

function topologicalOrder(name: string, tasks: DagTask[], byId: Map<string, DagTask>): DagTask[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const order: DagTask[] = [];
  const visit = (task: DagTask, trail: string[]): void => {
    const s = state.get(task.id);
    if (s === 'done') return;
    if (s === 'visiting') throw invalid(`DAG '${name}' has a cycle: ${[...trail, task.id].join(' → ')}`, `tasks.${task.id}.dependsOn`);
    state.set(task.id, 'visiting');
    for (const dep of task.dependsOn ?? []) visit(byId.get(dep) as DagTask, [...trail, task.id]);
    state.set(task.id, 'done');
    order.push(task);
  };
  for (const task of tasks) visit(task, []);
  return order;
}

/** Every task id `taskId` depends on, directly or not. */
export function upstreamOf(dag: Dag, taskId: string): Set<string> {
  const byId = new Map(dag.tasks.map((t) => [t.id, t]));
  const seen = new Set<string>();
  const walk = (id: string): void => {
    for (const dep of byId.get(id)?.dependsOn ?? []) {
      if (!seen.has(dep)) {
        seen.add(dep);
        walk(dep);
      }
    }
  };
  walk(taskId);
  return seen;
}

function invalid(message: string, path: string): AlmanacError {
  return new AlmanacError('ALMANAC_ERR_INPUT_INVALID', message, { details: { issues: [{ path, reason: message }] } });
}
