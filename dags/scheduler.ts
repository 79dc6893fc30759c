/**
 * The scheduler: one croner job per scheduled DAG. A trigger that finds the previous run of the
 * same DAG still going is skipped (croner `protect`, plus the cross-process dag-lock). `stop()`
 * stops scheduling and waits for runs in flight; `stop({ abort: true })` cancels them.
 */
import { Cron } from 'croner';
import type { AlmanacConfig } from '../core/config.ts';
import { AlmanacError, asAlmanacError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Dag } from './dag.ts';
import { runDag, type RunDagOptions } from './dag-runner.ts';
import type { DagRun } from './run-history.ts';

export interface Scheduler {
  /** Next trigger time of each scheduled DAG. */
  next(): { dag: string; schedule: string; nextRun: Date | null }[];
  /** Runs a DAG now through the scheduler's no-overlap rule; undefined when skipped (still running). */
  trigger(name: string): Promise<DagRun | undefined>;
  stop(options?: { abort?: boolean }): Promise<void>;
}

export interface SchedulerOptions {
  logger: Logger;
  /** Replaces runDag (tests). */
  run?: (config: AlmanacConfig, dag: Dag, options: RunDagOptions) => Promise<DagRun>;
}

/** Validates a cron expression. @throws ALMANAC_ERR_CONFIG_INVALID naming the DAG and the expression. */
export function checkSchedule(dag: string, schedule: string): void {
  try {
    new Cron(schedule, { paused: true }).stop();
  } catch (e) {
    throw new AlmanacError('ALMANAC_ERR_CONFIG_INVALID', `DAG '${dag}': invalid cron schedule '${schedule}': ${(e as Error).message} (e.g. '0 3 * * *')`, {
      details: { dag, schedule },
    });
  }
}

export function startScheduler(config: AlmanacConfig, dags: Dag[], options: SchedulerOptions): Scheduler {
  const run = options.run ?? runDag;
  const inFlight = new Map<string, Promise<DagRun | undefined>>();
  const controller = new AbortController();
  const byName = new Map(dags.map((d) => [d.name, d]));
  const log = options.logger;

  const trigger = (name: string, how: 'manual' | 'schedule'): Promise<DagRun | undefined> => {
    const dag = byName.get(name);
    if (!dag) return Promise.reject(new AlmanacError('ALMANAC_ERR_DAG_UNKNOWN', `no DAG named '${name}'`, { details: { dag: name } }));
    if (inFlight.has(name) || controller.signal.aborted) {
      log.warn({ dag: name }, 'previous run still in progress; trigger skipped');
      return Promise.resolve(undefined);
    }
    const started = runOnce(config, dag, how, run, controller.signal, log).finally(() => inFlight.delete(name));
    inFlight.set(name, started);
    return started;
  };

  const jobs = dags.filter((d) => d.schedule !== undefined).map((dag) => {
    checkSchedule(dag.name, dag.schedule as string);
    return new Cron(dag.schedule as string, { name: dag.name, protect: true }, async () => { await trigger(dag.name, 'schedule'); });
  });
  for (const job of jobs) log.info({ dag: job.name, schedule: job.getPattern(), nextRun: job.nextRun()?.toISOString() }, 'scheduled');

  return {
    next: () => jobs.map((j) => ({ dag: j.name ?? '', schedule: j.getPattern() ?? '', nextRun: j.nextRun() })),
    trigger: (name) => trigger(name, 'manual'),
    async stop({ abort = false } = {}) {
      for (const job of jobs) job.stop();
      if (abort) controller.abort(new AlmanacError('ALMANAC_ERR_DAG_TASK_FAILED', 'scheduler stopped'));
      await Promise.allSettled(inFlight.values());
    },
  };
}

async function runOnce(
  config: AlmanacConfig, dag: Dag, trigger: 'manual' | 'schedule',
  run: NonNullable<SchedulerOptions['run']>, signal: AbortSignal, log: Logger,
): Promise<DagRun | undefined> {
  try {
    log.info({ dag: dag.name, trigger }, 'run started');
    const result = await run(config, dag, { trigger, signal, logger: log });
    const level = result.state === 'success' ? 'info' : 'error';
    log[level]({ dag: dag.name, runId: result.runId, state: result.state, durationMs: result.durationMs, error: result.error }, 'run finished');
    return result;
  } catch (e) {
    const err = asAlmanacError(e);
    log.warn({ dag: dag.name, code: err.code, err: err.message }, 'run not started');
    return undefined;
  }
}
