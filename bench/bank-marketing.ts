/**
 * UCI bank-marketing, end to end through the real pipeline, in a temp home per data set:
 *   almanac ingest FILE.csv --mapping pipelines/ingest/mappings/….json
 *   almanac features backfill
 *   almanac features training-set
 *   almanac train --holdout 0.2 --json      (first 80% of touches by time train, last 20% test)
 * and, on bank-full, the same training set with a stratified random 80/20 split (seed 0), as
 * most published figures use. Prints each family's holdout ROC-AUC / PR-AUC / log loss (its best
 * candidate on validation, refitted), the served model's, fit times, and the Python peers'
 * figures from ../shared/data/bank-marketing/SOURCE.md, with the issue-10 checks.
 *
 *   npx tsx bench/bank-marketing.ts [--epochs 30] [--seed 42] [--only bank-full|bank-additional] [--keep]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { latestTrainingSetDir, readTrainingSet } from '../features/training-set-file.ts';
import { loadConfig } from '../core/config.ts';
import type { LeaderboardEntry, ModelMetrics } from '../models/registry/model-registry.ts';
import { trainModel } from '../models/training/train-model.ts';

const DATA = path.resolve('../shared/data/bank-marketing');
const { values: args } = parseArgs({ options: {
  epochs: { type: 'string', default: '30' }, seed: { type: 'string', default: '42' }, only: { type: 'string' }, keep: { type: 'boolean', default: false },
} });

interface Peer { model: string; rocAuc: number; fitSeconds?: number }
/** SOURCE.md, "Reference figures" (scikit-learn 1.2.1, xgboost 1.7.4, LightGBM 4.7.0; one thread, this machine). */
const PEERS: Record<string, Peer[]> = {
  'bank-full time': [
    { model: 'LogisticRegression', rocAuc: 0.682, fitSeconds: 0.6 }, { model: 'HistGradientBoosting', rocAuc: 0.686, fitSeconds: 1.4 },
    { model: 'XGBoost', rocAuc: 0.678, fitSeconds: 1.7 }, { model: 'LightGBM', rocAuc: 0.673 }, { model: 'MLP (64, 32)', rocAuc: 0.687, fitSeconds: 3.2 },
  ],
  'bank-full stratified': [
    { model: 'LogisticRegression', rocAuc: 0.769, fitSeconds: 0.3 }, { model: 'HistGradientBoosting', rocAuc: 0.801, fitSeconds: 0.9 },
    { model: 'XGBoost', rocAuc: 0.802, fitSeconds: 1.3 }, { model: 'LightGBM', rocAuc: 0.8 }, { model: 'MLP (64, 32)', rocAuc: 0.788, fitSeconds: 2.2 },
  ],
  'bank-additional time': [
    { model: 'LogisticRegression', rocAuc: 0.745, fitSeconds: 2.0 }, { model: 'HistGradientBoosting', rocAuc: 0.608, fitSeconds: 0.8 },
    { model: 'XGBoost', rocAuc: 0.637, fitSeconds: 1.4 }, { model: 'MLP (64, 32)', rocAuc: 0.67, fitSeconds: 1.1 },
  ],
};

const DATASETS = [
  { name: 'bank-full', csv: 'bank-full.csv', mapping: 'pipelines/ingest/mappings/bank-marketing.json', stratified: true },
  { name: 'bank-additional', csv: 'bank-additional-full.csv', mapping: 'pipelines/ingest/mappings/bank-additional.json', stratified: false },
];

const f4 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '   -  ' : n.toFixed(4));

function machine(): string {
  return `${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`;
}

function almanac(home: string, ...argv: string[]): string {
  const started = Date.now();
  process.stderr.write(`$ almanac ${argv.join(' ')}\n`);
  const out = execFileSync('node', ['app/bin.js', ...argv], { env: { ...process.env, ALMANAC_HOME: home, ALMANAC_FSYNC: 'none' }, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 }).toString();
  process.stderr.write(`  (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return out;
}

interface SplitResult { label: string; metrics: ModelMetrics; seconds: { total: number; served: number } }

/** The best candidate of each family on validation (the one refitted and compared on the holdout). */
function familyBests(board: readonly LeaderboardEntry[]): LeaderboardEntry[] {
  return board.filter((e) => e.refit);
}

function report(r: SplitResult): { lines: string[]; checks: string[] } {
  const peers = PEERS[r.label] ?? [];
  const bestPeer = peers.reduce((a, b) => (b.rocAuc > a.rocAuc ? b : a), peers[0] as Peer);
  const fams = familyBests(r.metrics.leaderboard ?? []);
  const bestFamily = Math.max(...fams.map((e) => e.holdout.roc_auc));
  const lines = [
    `\n== ${r.label}: holdout ${r.metrics.holdout_rows} rows, ${r.metrics.holdout_positives} positives`,
    `  ${'model'.padEnd(40)} roc_auc  pr_auc   log_loss  fit_s`,
    ...fams.map((e) => `  ${`${e.served ? '* ' : '  '}${e.candidate}`.padEnd(40)} ${f4(e.holdout.roc_auc)}   ${f4(e.holdout.pr_auc)}   ${f4(e.holdout.log_loss)}    ${e.fit_seconds.toFixed(1)}`),
    `  ${'served (almanac)'.padEnd(40)} ${f4(r.metrics.roc_auc)}   ${f4(r.metrics.pr_auc)}   ${f4(r.metrics.log_loss)}    ${r.seconds.served.toFixed(1)} (refit; whole selection ${r.seconds.total.toFixed(1)} s)`,
    ...peers.map((p) => `  ${`peer ${p.model}`.padEnd(40)} ${f4(p.rocAuc)}                       ${p.fitSeconds?.toFixed(1) ?? '-'}`),
  ];
  const checks = [
    `${r.label}: served ${f4(r.metrics.roc_auc)} ≥ best family ${f4(bestFamily)} − 0.003: ${r.metrics.roc_auc >= bestFamily - 0.003 ? 'met' : 'NOT met'}`,
    `${r.label}: served ${f4(r.metrics.roc_auc)} ≥ best peer ${f4(bestPeer.rocAuc)} (${bestPeer.model}): ${r.metrics.roc_auc >= bestPeer.rocAuc ? 'met' : 'NOT met'}`,
  ];
  if (r.label.startsWith('bank-full') && bestPeer.fitSeconds !== undefined) {
    const limit = 2 * bestPeer.fitSeconds;
    checks.push(`${r.label}: served model's fit ${r.seconds.served.toFixed(1)} s ≤ 2 × ${bestPeer.model}'s ${bestPeer.fitSeconds} s = ${limit.toFixed(1)} s: ${r.seconds.served <= limit ? 'met' : 'NOT met'}; the whole selection (every family and candidate) ${r.seconds.total.toFixed(1)} s`);
  }
  return { lines, checks };
}

async function runDataset(d: (typeof DATASETS)[number]): Promise<SplitResult[]> {
  const home = mkdtempSync(path.join(os.tmpdir(), `almanac-${d.name}-`));
  try {
    almanac(home, 'ingest', path.join(DATA, d.csv), '--mapping', d.mapping, '--quiet');
    almanac(home, 'features', 'backfill');
    almanac(home, 'features', 'training-set');
    const out = JSON.parse(almanac(home, 'train', '--holdout', '0.2', '--epochs', args.epochs, '--seed', args.seed, '--json')) as { metrics: ModelMetrics; seconds: SplitResult['seconds'] };
    const results: SplitResult[] = [{ label: `${d.name} time`, metrics: out.metrics, seconds: out.seconds }];
    if (d.stratified) {
      process.stderr.write(`$ (in process) trainModel on the same training set, stratified random 80/20, seed 0\n`);
      const set = await readTrainingSet(await latestTrainingSetDir(loadConfig({ env: { ...process.env, ALMANAC_HOME: home } })));
      const m = await trainModel(set, { split: 'stratified', splitSeed: 0, network: { epochs: Number(args.epochs), seed: Number(args.seed) }, onProgress: (l) => process.stderr.write(`${l}\n`) });
      results.push({ label: `${d.name} stratified`, metrics: m.metrics, seconds: m.seconds });
    }
    return results;
  } finally {
    if (args.keep) process.stderr.write(`home kept at ${home}\n`);
    else rmSync(home, { recursive: true, force: true });
  }
}

const wanted = DATASETS.filter((d) => args.only === undefined || d.name === args.only);
const missing = wanted.filter((d) => !existsSync(path.join(DATA, d.csv)));
if (missing.length > 0) {
  process.stdout.write(`skipped: ${missing.map((d) => path.join(DATA, d.csv)).join(', ')} not found\n`);
} else {
  const started = Date.now();
  const results: SplitResult[] = [];
  for (const d of wanted) results.push(...(await runDataset(d)));
  const reports = results.map(report);
  process.stdout.write([
    `bank-marketing through ingest → backfill → training-set → train; holdout = last 20% by time unless stratified; * = served`,
    `machine: ${machine()}`,
    ...reports.flatMap((r) => r.lines),
    '\nchecks (issue 10):',
    ...reports.flatMap((r) => r.checks.map((c) => `  ${c}`)),
    `wall time ${((Date.now() - started) / 1000).toFixed(0)} s`,
  ].join('\n') + '\n');
}
