/**
 * `almanac features stream|backfill|materialize|compact|training-set|views`: each prints a JSON report on
 * stdout and progress on stderr.
 */
import type { Command } from 'commander';
import { action, commandConfig } from '../core/cli/command.ts';
import { invalidInput } from '../core/errors.ts';
import { READ_BATCH } from './jobs/read-batch.ts';
import { dateOption, durationOption, positiveIntOption } from './cli-options.ts';
import { featureNames } from './feature-view.ts';
import { FEATURE_VIEWS } from './views/index.ts';

const print = (report: unknown): void => {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
};

function checkRange(o: { from?: number; to?: number }): void {
  if (o.from !== undefined && o.to !== undefined && o.from >= o.to) {
    throw invalidInput(`--from (${new Date(o.from).toISOString()}) must be before --to (${new Date(o.to).toISOString()})`, [{ path: '--from', reason: 'must be before --to' }]);
  }
}

function registerStream(features: Command): void {
  features
    .command('stream')
    .description('Consume the event log, update windowed aggregates, write final rows to the online and offline stores')
    .option('--until-caught-up', 'exit once every partition is read to its end (else run until SIGINT/SIGTERM)')
    .option('--group <name>', 'consumer group', 'almanac-features')
    .option('--max-records <n>', 'records per poll', positiveIntOption('--max-records'), READ_BATCH)
    .action(action(async (o: { untilCaughtUp?: boolean; group: string; maxRecords: number }, cmd: Command) => {
      const config = commandConfig(cmd);
      const { runStreamJob } = await import('./jobs/stream-job.ts');
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        print(await runStreamJob(config, { untilCaughtUp: o.untilCaughtUp === true, group: o.group, maxRecords: o.maxRecords, signal: controller.signal }));
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    }));
}

function registerBatch(features: Command): void {
  features
    .command('backfill')
    .description('Replay the whole event log through the same engine and replace the offline rows of [--from, --to)')
    .option('--from <date>', 'first window end to replace (inclusive; date, date-time or epoch ms)', dateOption('--from'))
    .option('--to <date>', 'window end to stop at (exclusive)', dateOption('--to'))
    .action(action(async (o: { from?: number; to?: number }, cmd: Command) => {
      checkRange(o);
      const config = commandConfig(cmd);
      const { runBackfill } = await import('./jobs/backfill-job.ts');
      print(await runBackfill(config, { from: o.from, to: o.to }));
    }));
  features
    .command('materialize')
    .description('Copy the latest offline row per entity (window end in [--from, --to)) to the online store')
    .option('--from <date>', 'inclusive', dateOption('--from'))
    .option('--to <date>', 'exclusive (as of this time)', dateOption('--to'))
    .action(action(async (o: { from?: number; to?: number }, cmd: Command) => {
      checkRange(o);
      const config = commandConfig(cmd);
      const { materialize } = await import('./materialize.ts');
      print(await materialize(config, { from: o.from, to: o.to }));
    }));
}

function registerCompact(features: Command): void {
  features
    .command('compact')
    .description("Merge each date partition's offline part files into one (safe beside a running stream job)")
    .option('--view <name>', 'only this feature view (default: every view)')
    .option('--min-files <n>', 'merge a partition only when it has at least this many files (≥ 2)', positiveIntOption('--min-files'), 2)
    .action(action(async (o: { view?: string; minFiles: number }, cmd: Command) => {
      const config = commandConfig(cmd);
      const { createOfflineStore } = await import('./offline-store/create-offline-store.ts');
      const store = await createOfflineStore(config);
      try {
        const views = await store.views();
        if (o.view !== undefined && !views.includes(o.view)) {
          throw invalidInput(`no offline rows for view '${o.view}'; views with rows: ${views.join(', ') || '(none)'}`, [{ path: '--view', reason: 'unknown view' }]);
        }
        const reports = [];
        for (const view of o.view === undefined ? views : [o.view]) reports.push(await store.compact(view, { minFiles: o.minFiles }));
        print(reports);
      } finally {
        await store.close();
      }
    }));
}

function registerTrainingSet(features: Command): void {
  features
    .command('training-set')
    .description('Build a point-in-time-correct training set (one row per touch whose attribution window has closed)')
    .option('--from <date>', 'first touch time (inclusive)', dateOption('--from'))
    .option('--to <date>', 'last touch time (exclusive)', dateOption('--to'))
    .option('--attribution-window <duration>', 'conversions within this time after a touch label it 1 (e.g. 7d, 48h)', durationOption('--attribution-window'), 7 * 86_400_000)
    .option('--out <dir>', 'output folder (default <home>/training-sets/<id>)')
    .action(action(async (o: { from?: number; to?: number; attributionWindow: number; out?: string }, cmd: Command) => {
      checkRange(o);
      const config = commandConfig(cmd);
      const { buildTrainingSet } = await import('./training-set-builder.ts');
      const { dir, set } = await buildTrainingSet(config, { from: o.from, to: o.to, attributionWindowMs: o.attributionWindow, out: o.out });
      print({ dir, ...set.manifest, columns: set.manifest.columns.length });
    }));
}

/** Registers `almanac features …`. */
export function registerFeatureCommands(program: Command): void {
  const features = program.command('features').description('Feature views, stream and batch jobs, materialization, training sets');
  registerStream(features);
  registerBatch(features);
  registerCompact(features);
  registerTrainingSet(features);
  features
    .command('views')
    .description('List the declared feature views')
    .action(action(() => {
      print(FEATURE_VIEWS.map((v) => ({ name: v.name, version: v.version, entity: v.entity, ttlMs: v.ttlMs, allowedLatenessMs: v.allowedLatenessMs, features: featureNames(v), description: v.description })));
    }));
}
