/**
 * Persisted run history: one JSON file per run at `<home>/dags/runs/<dag>/<run-id>.json`,
 * rewritten atomically (temp file + rename) at every state change, so a reader sees a whole
 * record, never a torn one. Run ids sort by start time.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { homePath, type AlmanacConfig } from '../core/config.ts';
import { AlmanacError } from '../core/errors.ts';
import type { RunState, TaskState } from './dag.ts';

export interface TaskRun {
  id: string;
  state: TaskState;
  attempts: number;
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

/** A sortable, unique run id: `20240501T030000123Z-1a2b3c`. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}

/** Writes the whole run record atomically. */
export async function saveRun(config: AlmanacConfig, run: DagRun): Promise<void> {
  const dir = runsDir(config, run.dag);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${run.runId}.json`);
  await writeFileAtomic(file, `${JSON.stringify(run, null, 2)}\n`);
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
