/**
 * Executes a DAG: tasks start as soon as all their dependencies succeeded (independent tasks run
 * side by side); a failed task skips everything downstream of it and fails the run. The run record
 * is persisted at every state change; one run of a DAG at a time (dag-lock).
 */
import type { AlmanacConfig } from '../core/config.ts';
import { AlmanacError, asAlmanacError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { upstreamOf, type Dag, type DagTask } from './dag.ts';
import { acquireDagLock } from './dag-lock.ts';
import { newRunId, saveRun, type DagRun, type TaskRun } from './run-history.ts';
import { cancelled, runTaskWithRetries } from './task-attempts.ts';

export interface RunDagOptions {
  trigger?: 'manual' | 'schedule';
  /** Aborting cancels the run: running tasks see their signal aborted, pending ones are skipped. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Called after every task state change (progress display). */
  onTaskChange?(task: TaskRun, run: DagRun): void;
  /** Called once the run id is known and the lock is held. */
  onStart?(run: DagRun): void;
}

/**
 * Runs `dag` to completion and returns its record (state 'success' or 'failed'); task failures
 * do not throw — they are in the record.
 * @throws AlmanacError ALMANAC_ERR_INPUT_CONFLICT when a run of this DAG is already in progress.
 */
export async function runDag(config: AlmanacConfig, dag: Dag, options: RunDagOptions = {}): Promise<DagRun> {
  const runId = newRunId();
  const lock = await acquireDagLock(config, dag.name, runId);
  const run: DagRun = {
    dag: dag.name, runId, trigger: options.trigger ?? 'manual', state: 'running', startedAt: new Date().toISOString(), pid: process.pid,
    tasks: dag.tasks.map((t) => ({ id: t.id, state: 'pending', attempts: 0 })),
  };
  try {
    await saveRun(config, run);
    options.onStart?.(run);
    await new RunExecution(config, dag, run, options).execute();
    return run;
  } finally {
    await lock.release();
  }
}

class RunExecution {
  private readonly outputs = new Map<string, unknown>();
  private readonly records: Map<string, TaskRun>;
  private readonly log: Logger;
  private readonly controller = new AbortController();
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: AlmanacConfig,
    private readonly dag: Dag,
    private readonly run: DagRun,
    private readonly options: RunDagOptions,
  ) {
    this.records = new Map(run.tasks.map((t) => [t.id, t]));
    this.log = (options.logger ?? silentLogger).child({ dag: dag.name, runId: run.runId });
    // A signal aborted before this run subscribed (the scheduler stopped while the lock was being
    // taken) must still cancel it: 'abort' events are not replayed to late listeners.
    if (options.signal?.aborted) this.controller.abort(options.signal.reason);
    else options.signal?.addEventListener('abort', () => this.controller.abort(options.signal?.reason), { once: true });
  }

  async execute(): Promise<void> {
    const running = new Map<string, Promise<void>>();
    for (;;) {
      this.skipBlocked();
      for (const task of this.ready()) {
        if (running.has(task.id)) continue;
        running.set(task.id, this.runTask(task).finally(() => running.delete(task.id)));
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    await this.finish();
  }

  /** Pending tasks whose dependencies all succeeded. */
  private ready(): DagTask[] {
    return this.dag.tasks.filter((t) => this.state(t.id) === 'pending' && (t.dependsOn ?? []).every((d) => this.state(d) === 'success'));
  }

  /** Pending tasks with a failed or skipped dependency (or every pending task once cancelled) are skipped. */
  private skipBlocked(): void {
    for (const task of this.dag.tasks) {
      if (this.state(task.id) !== 'pending') continue;
      const blocker = (task.dependsOn ?? []).find((d) => this.state(d) === 'failed' || this.state(d) === 'skipped');
      if (blocker !== undefined || this.controller.signal.aborted) {
        const record = this.record(task.id);
        record.state = 'skipped';
        record.skippedBecause = blocker ?? 'run cancelled';
        this.changed(record);
      }
    }
  }

  private async runTask(task: DagTask): Promise<void> {
    const record = this.record(task.id);
    const started = Date.now();
    record.state = 'running';
    record.attempts = 1;
    record.startedAt = new Date(started).toISOString();
    record.attemptLog = [{ attempt: 1, startedAt: record.startedAt, state: 'running' }];
    this.changed(record);
    const upstream = upstreamOf(this.dag, task.id);
    try {
      const output = await runTaskWithRetries(task, {
        config: this.config, dag: this.dag.name, runId: this.run.runId, taskId: task.id, log: this.log.child({ task: task.id }),
        output: <T>(id: string): T => this.upstreamOutput<T>(task.id, id, upstream),
      }, this.controller.signal, {
        onAttempt: (attempt) => {
          record.attempts = attempt;
          if (attempt === 1) return;
          record.attemptLog?.push({ attempt, startedAt: new Date().toISOString(), state: 'running' });
          this.changed(record);
        },
        onRetry: (err, attempt, delayMs) => {
          endAttempt(record, 'failed', { code: err.code, message: err.message });
          this.log.warn({ task: task.id, attempt, delayMs, err: err.message }, 'task failed; retrying');
        },
      });
      this.outputs.set(task.id, output);
      record.state = 'success';
      endAttempt(record, 'success');
      if (task.summarize) record.summary = task.summarize(output);
    } catch (e) {
      const err = this.controller.signal.aborted && !(e instanceof AlmanacError) ? cancelled(task.id) : asAlmanacError(e);
      record.state = 'failed';
      record.error = { code: err.code, message: err.message };
      endAttempt(record, 'failed', record.error);
      this.log.error({ task: task.id, code: err.code, err: err.message, attempts: record.attempts }, 'task failed');
    }
    record.durationMs = Date.now() - started;
    this.changed(record);
  }

  private upstreamOutput<T>(taskId: string, id: string, upstream: Set<string>): T {
    if (!upstream.has(id) || !this.outputs.has(id)) {
      throw new AlmanacError('ALMANAC_ERR_INTERNAL', `task '${taskId}' asked for the output of '${id}', which is not one of its upstream tasks`);
    }
    return this.outputs.get(id) as T;
  }

  private async finish(): Promise<void> {
    const failed = this.run.tasks.find((t) => t.state === 'failed');
    const finished = Date.now();
    this.run.state = failed || this.run.tasks.some((t) => t.state === 'skipped') ? 'failed' : 'success';
    if (failed) this.run.error = `task '${failed.id}' failed: ${failed.error?.message ?? 'unknown error'}`;
    else if (this.run.state === 'failed') this.run.error = 'run cancelled';
    this.run.finishedAt = new Date(finished).toISOString();
    this.run.durationMs = finished - Date.parse(this.run.startedAt);
    await this.persist();
  }

  private changed(record: TaskRun): void {
    this.options.onTaskChange?.(record, this.run);
    void this.persist();
  }

  /** Serialises writes so that the file always holds the latest state. */
  private persist(): Promise<void> {
    const snapshot = structuredClone(this.run);
    this.writes = this.writes.then(() => saveRun(this.config, snapshot)).catch((e: unknown) => {
      this.log.error({ err: (e as Error).message }, 'cannot write run history');
    });
    return this.writes;
  }

  private state(id: string): string {
    return this.record(id).state;
  }

  private record(id: string): TaskRun {
    return this.records.get(id) as TaskRun;
  }
}

/** Closes the task's running attempt (the last one) with its outcome. */
function endAttempt(record: TaskRun, state: 'success' | 'failed', error?: { code: string; message: string }): void {
  const last = record.attemptLog?.at(-1);
  if (last === undefined || last.state !== 'running') return;
  last.state = state;
  last.finishedAt = new Date().toISOString();
  if (error) last.error = error;
}
