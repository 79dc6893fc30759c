/**
 * The pipeline at scale: simulate → ingest → stream features → training set → train → register →
 * index patterns over BENCH_EVENTS events (default 10M) in a new temp home, on embedded defaults,
 * each step's time, throughput and peak RSS printed as it ends, with the bound (8 GB at every step).
 *
 *   npm run bench:scale                              (10M events)
 *   BENCH_EVENTS=1000000 npm run bench:scale
 *
 * The world grows with the events: the demo world's shape (60 days, 5 campaigns per client, 60
 * touches per campaign-day, 4 clients per industry) with clients and campaigns scaled to reach
 * about BENCH_EVENTS. The training set is written whole to disk, a day of touches at a time, and
 * holds a sample of at most BENCH_TRAIN_ROWS (default 100,000) labelled touches in memory
 * (features/training-set-sample.ts: by touch-id hash, so every period and client keeps its share);
 * training runs on that sample; the pattern miner streams every row from the file.
 * BENCH_HOME keeps the home (else a temp one, removed at the end).
 *
 * A step's peak is this process's RSS high-water mark (VmHWM), reset as the step starts (Linux
 * /proc/self/clear_refs); the baseline is the process before the first step. Steps run in this one
 * process, one after the other, as `almanac demo` runs them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../core/config.ts';
import { resetRssPeak, rssKb } from './process-rss.ts';
import { DEMO_WORLD } from '../pipelines/simulator/simulation-options.ts';

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`${name} must be a positive whole number, got '${raw}'\n`);
    process.exit(2);
  }
  return n;
}

const EVENTS = positiveInt('BENCH_EVENTS', 10_000_000);
const TRAIN_ROWS = positiveInt('BENCH_TRAIN_ROWS', 100_000);
const BOUND_MB = 8 * 1024;
/** Events per client of the demo world's shape (1M aimed gave 923,374 events for 112 clients), which the world is scaled by. */
const EVENTS_PER_CLIENT = 8_244;

const mb = (kb: number): string => `${Math.round(kb / 1024)} MB`;
const rate = (n: number, s: number): string => `${Math.round(n / Math.max(s, 1e-9)).toLocaleString('en-US')}/s`;

interface StepFigure { step: string; seconds: number; peakKb: number; summary: string }

const clients = Math.max(DEMO_WORLD.clients, Math.ceil(EVENTS / EVENTS_PER_CLIENT));
const world = { ...DEMO_WORLD, clients, campaigns: clients * (DEMO_WORLD.campaigns / DEMO_WORLD.clients) };
const keep = process.env.BENCH_HOME;
const home = keep ?? mkdtempSync(path.join(os.tmpdir(), 'almanac-bench-scale-'));
const config = loadConfig({ env: { ALMANAC_FSYNC: process.env.ALMANAC_FSYNC ?? 'none' }, overrides: { home, logLevel: 'warn' } });
const cpus = os.cpus();
console.log(`machine: ${cpus[0]?.model ?? 'unknown cpu'} × ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`world: ${world.clients} clients, ${world.campaigns} campaigns, ${world.days} days, ${world.touchesPerDay} touches per campaign-day (aimed at ${EVENTS.toLocaleString('en-US')} events); training on ≤ ${TRAIN_ROWS.toLocaleString('en-US')} sampled rows; home ${home}`);
const baseline = rssKb('VmRSS');
console.log(`baseline (the process before the first step): ${mb(baseline)}; bound ${BOUND_MB} MB at every step`);

const figures: StepFigure[] = [];
let perStep = true;
const t0 = performance.now();
async function step<T>(name: string, fn: () => Promise<T>, summary: (r: T, seconds: number) => string): Promise<T> {
  perStep = resetRssPeak() && perStep;
  process.stderr.write(`[scale] ${name} …\n`);
  const started = performance.now();
  const result = await fn();
  const seconds = (performance.now() - started) / 1000;
  const figure = { step: name, seconds, peakKb: rssKb('VmHWM'), summary: summary(result, seconds) };
  figures.push(figure);
  console.log(`${name.padEnd(36)} ${seconds.toFixed(1).padStart(8)} s  peak RSS ${mb(figure.peakKb).padStart(8)}  ${figure.summary}`);
  return result;
}

try {
  const { writeSimulation } = await import('../pipelines/simulator/write-simulation.ts');
  const dir = path.join(home, 'world');
  const sim = await step('simulate', () => writeSimulation({ ...world, out: dir, quiet: false }), (r, s) => `${r.events.toLocaleString('en-US')} events, ${rate(r.events, s)}`);
  const { ingestFiles } = await import('../pipelines/ingest/ingest-events.ts');
  await step('ingest', () => ingestFiles(config, [path.join(dir, 'events.jsonl')], { quiet: false }), (r, s) => `${r.accepted.toLocaleString('en-US')} accepted, ${r.duplicates} duplicates, ${r.rejected.length} rejected, ${rate(sim.events, s)}`);
  const { runStreamJob } = await import('../features/jobs/stream-job.ts');
  await step('features (stream until caught up)', () => runStreamJob(config, { untilCaughtUp: true, quiet: false }), (r, s) => `${r.records.toLocaleString('en-US')} records, ${r.rowsWritten.toLocaleString('en-US')} feature rows, ${rate(r.records, s)}`);
  const { buildTrainingSet } = await import('../features/training-set-builder.ts');
  const { set } = await step('training set', () => buildTrainingSet(config, { quiet: false, holdRows: TRAIN_ROWS }), (r, s) => `${r.set.manifest.rows.toLocaleString('en-US')} labelled touches, ${r.set.manifest.positives.toLocaleString('en-US')} conversions, ${rate(r.set.manifest.rows, s)}; ${(r.set.sample?.rows ?? r.set.examples.length).toLocaleString('en-US')} held in memory`);
  const { trainAndRegister } = await import('../models/training/train-and-register.ts');
  const { DEMO_FAMILIES, DEMO_FOLDS, DEMO_EPOCHS } = await import('../app/demo.ts');
  const trained = await step('train + register', () => trainAndRegister(config, { trainingSet: set, quiet: false, seed: world.seed, epochs: DEMO_EPOCHS, families: DEMO_FAMILIES, folds: DEMO_FOLDS }),
    (r) => {
      const sample = (r.version.lineage.parameters as { sample?: { rows: number; of: number } }).sample;
      return `model v${r.version.version} on ${sample ? `a sample of ${sample.rows.toLocaleString('en-US')} of ${sample.of.toLocaleString('en-US')} rows` : `all ${set.manifest.rows.toLocaleString('en-US')} rows`}: roc_auc ${r.metrics.roc_auc.toFixed(3)}, pr_auc ${r.metrics.pr_auc.toFixed(3)}`;
    });
  const { createModelRegistry } = await import('../models/registry/create-model-registry.ts');
  await step('promote', async () => { await (await createModelRegistry(config)).setAlias('champion', trained.version.version); }, () => `v${trained.version.version} champion`);
  const { indexWithChampion } = await import('../embeddings/patterns/index-with-champion.ts');
  await step('index patterns', () => indexWithChampion(config, { trainingSet: set, quiet: false }), (r, s) => `${r.patterns} patterns (${r.global} cross-client, ${r.private} private, ${r.anti} anti), ${r.tested} combinations tested over ${set.manifest.rows.toLocaleString('en-US')} touches in ${s.toFixed(1)} s`);
} finally {
  if (keep === undefined) rmSync(home, { recursive: true, force: true });
}
const overall = process.resourceUsage().maxRSS;
const worst = Math.max(overall, ...figures.map((f) => f.peakKb));
console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s; peak RSS ${mb(worst)} (bound ${BOUND_MB} MB: ${worst / 1024 <= BOUND_MB ? 'met' : 'NOT MET'})${perStep ? '' : '; per-step peaks could not be reset here, each is the peak so far'}`);
