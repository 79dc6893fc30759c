/** `almanac dag list|run|history` and `almanac scheduler`. */
import type { Command } from 'commander';
import { action, commandConfig, intOption } from '../core/cli/command.ts';
import { AlmanacError } from '../core/errors.ts';
import { createLogger } from '../core/logger.ts';
import { dagCatalogue, findDag } from './dag-catalogue.ts';
import { runDag } from './dag-runner.ts';
import { listRuns, type DagRun, type TaskRun } from './run-history.ts';
import { startScheduler } from './scheduler.ts';
import { Cron } from 'croner';

export function registerDagCommands(program: Command): void {
  const dag = program.command('dag').description('retraining DAGs: list, run now, run history');
  dag.command('list').description('DAGs with their schedule, next and last run')
    .option('--json', 'machine-readable output')
    .action(action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = commandConfig(cmd);
      const rows = await Promise.all(dagCatalogue(config).map(async (d) => {
        const [last] = await listRuns(config, d.name, 1);
        const nextRun = d.schedule ? new Cron(d.schedule, { paused: true }).nextRun()?.toISOString() : undefined;
        return { name: d.name, description: d.description, schedule: d.schedule ?? null, nextRun: nextRun ?? null, tasks: d.tasks.map((t) => t.id),
          lastRun: last ? { runId: last.runId, state: last.state, startedAt: last.startedAt, durationMs: last.durationMs ?? null, error: last.error ?? null } : null };
      }));
      if (opts.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      for (const r of rows) {
        const last = r.lastRun ? `${r.lastRun.state} ${r.lastRun.startedAt}${r.lastRun.error ? ` (${r.lastRun.error})` : ''}` : 'never run';
        process.stdout.write(`${r.name}\t${r.schedule ?? 'manual'}\tnext ${r.nextRun ?? '-'}\tlast ${last}\n  ${r.description}\n`);
      }
    }));
  dag.command('run').description('run a DAG now (progress per task on stderr); exits 1 when the run fails')
    .argument('<name>', 'DAG name (see `almanac dag list`)')
    .option('--json', 'print the run record as JSON on stdout')
    .action(action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const config = commandConfig(cmd);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop).once('SIGTERM', stop);
      try {
        const run = await runDag(config, findDag(dagCatalogue(config), name), {
          signal: controller.signal,
          onStart: (r) => process.stderr.write(`[dag ${r.dag}] run ${r.runId} started\n`),
          onTaskChange: (t) => process.stderr.write(`[dag ${name}] ${describeTask(t)}\n`),
        });
        process.stdout.write(opts.json ? `${JSON.stringify(run, null, 2)}\n` : `${run.dag} ${run.runId}: ${run.state} in ${run.durationMs} ms\n`);
        if (run.state !== 'success') throw new AlmanacError('ALMANAC_ERR_DAG_TASK_FAILED', `run ${run.runId} failed: ${run.error}`, { details: { runId: run.runId } });
      } finally {
        process.off('SIGINT', stop).off('SIGTERM', stop);
      }
    }));
  dag.command('history').description('recent runs of a DAG, newest first')
    .argument('<name>', 'DAG name')
    .option('--limit <n>', 'number of runs', intOption('--limit', 1), 10)
    .option('--json', 'machine-readable output')
    .action(action(async (name: string, opts: { limit: number; json?: boolean }, cmd: Command) => {
      const config = commandConfig(cmd);
      findDag(dagCatalogue(config), name);
      const runs = await listRuns(config, name, opts.limit);
      if (opts.json) return void process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      if (runs.length === 0) return void process.stdout.write(`no runs of '${name}' yet\n`);
      for (const run of runs) process.stdout.write(formatRun(run));
    }));
  registerSchedulerCommand(program);
}

function registerSchedulerCommand(program: Command): void {
  program.command('scheduler').description('run the DAGs on their cron schedules until SIGINT/SIGTERM (a second signal cancels running tasks)')
    .option('--run-now', 'also start every scheduled DAG once at startup')
    .action(action(async (opts: { runNow?: boolean }, cmd: Command) => {
      const config = commandConfig(cmd);
      const logger = createLogger(config.logLevel, 'almanac-scheduler');
      const dags = dagCatalogue(config);
      const scheduler = startScheduler(config, dags, { logger });
      if (opts.runNow) for (const d of dags.filter((x) => x.schedule)) void scheduler.trigger(d.name);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const onSignal = (signal: string) => {
          logger.info({ signal, abort: stopping }, stopping ? 'cancelling running DAGs' : 'stopping: waiting for running DAGs (signal again to cancel them)');
          const abort = stopping;
          stopping = true;
          void scheduler.stop({ abort }).then(resolve);
        };
        process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
      });
      logger.info('scheduler stopped');
    }));
}

function describeTask(t: TaskRun): string {
  const extra = t.state === 'failed' ? ` — ${t.error?.code}: ${t.error?.message}`
    : t.state === 'skipped' ? ` (upstream ${t.skippedBecause})`
    : t.state === 'running' && t.attempts > 1 ? ` (attempt ${t.attempts})` : '';
  const took = t.durationMs !== undefined ? ` in ${t.durationMs} ms` : '';
  return `${t.id}: ${t.state}${took}${extra}`;
}

function formatRun(run: DagRun): string {
  const head = `${run.runId}  ${run.state}  ${run.trigger}  started ${run.startedAt}  ${run.durationMs ?? '-'} ms${run.error ? `  ${run.error}` : ''}\n`;
  return head + run.tasks.map((t) => `    ${describeTask(t)}${t.attempts > 1 ? ` [${t.attempts} attempts]` : ''}\n`).join('');
}
