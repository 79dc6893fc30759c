/**
 * The persisted run history of the DAGs, as a reader: one JSON file per run at
 * `<home>/dags/runs/<dag>/<run-id>.json`, rewritten atomically by the runner (dags/run-history.ts)
 * at every state change, so a reader sees a whole record, never a torn one. Run ids sort by start
 * time. Here in core so that serving (the console's GET /v1/dags/runs) reads it without importing dags/.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { homePath, type AlmanacConfig } from '../config.ts';
import { AlmanacError } from '../errors.ts';

export type TaskState = 'pending' | 'running' | 'success' | 'failed' | 'skipped';
export type RunState = 'running' | 'success' | 'failed';

/** One attempt of a task (recorded by runners since the console; older records have none). */
export interface TaskAttempt {
  /** 1 for the first attempt. */
  attempt: number;
  startedAt: string;
  finishedAt?: string;
  state: 'running' | 'success' | 'failed';
  error?: { code: string; message: string };
}

export interface TaskRun {
  id: string;
  state: TaskState;
  attempts: number;
  /** Every attempt with its times and outcome. */
  attemptLog?: TaskAttempt[];
  /** ISO time of the first attempt. */
  startedAt?: string;
  /** From the first attempt's start to the final outcome (ms). */
  durationMs?: number;
  error?: { code: string; message: string };
  /** Why the task was skipped (the failed upstream task). */
  skippedBecause?: string;
  summary?: Record<string, unknown>;
}

export interface DagRun {
  dag: string;
  runId: string;
  trigger: 'manual' | 'schedule';
  state: RunState;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  /** One line: the first failed task and its error. */
  error?: string;
  pid: number;
  tasks: TaskRun[];
}

export function runsDir(config: AlmanacConfig, dag: string): string {
  return homePath(config, 'dags', 'runs', dag);
}

/** DAGs with a run history, sorted. */
export async function dagsWithRuns(config: AlmanacConfig): Promise<string[]> {
  const names = await readdir(homePath(config, 'dags', 'runs'), { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
  return names.filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

/**
 * The most recent runs of a DAG, newest first.
 * @param limit - maximum number of runs returned (default 20).
 */
export async function listRuns(config: AlmanacConfig, dag: string, limit = 20): Promise<DagRun[]> {
  let names: string[];
  try {
    names = await readdir(runsDir(config, dag));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const ids = names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).sort().reverse().slice(0, limit);
  const runs: DagRun[] = [];
  for (const id of ids) {
    const run = await readRunFile(config, dag, id);
    if (run) runs.push(run);
  }
  return runs;
}

/** One run by id. @throws ALMANAC_ERR_DAG_UNKNOWN when there is no such run. */
export async function getRun(config: AlmanacConfig, dag: string, runId: string): Promise<DagRun> {
  const run = await readRunFile(config, dag, runId);
  if (!run) throw new AlmanacError('ALMANAC_ERR_DAG_UNKNOWN', `no run '${runId}' of DAG '${dag}'`, { details: { dag, runId } });
  return run;
}

async function readRunFile(config: AlmanacConfig, dag: string, runId: string): Promise<DagRun | undefined> {
  try {
    return JSON.parse(await readFile(path.join(runsDir(config, dag), `${runId}.json`), 'utf8')) as DagRun;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || e instanceof SyntaxError) return undefined;
    throw e;
  }
}
