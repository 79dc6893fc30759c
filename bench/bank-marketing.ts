/**
 * UCI bank-marketing, end to end through the real pipeline, in a temp home:
 *   almanac ingest bank-full.csv --mapping pipelines/ingest/mappings/bank-marketing.json
 *   almanac features backfill
 *   almanac features training-set
 *   almanac train --holdout 0.2          (first 80% of touches by time train, last 20% test)
 * and prints test ROC-AUC / PR-AUC / log loss of the network and of the logistic baseline.
 * `--direct` skips the pipeline: the CSV is loaded in-process with emulated PIT rolling rates
 * (bench/bank-marketing-direct.ts), as a reference for what the model can reach.
 *
 *   npx tsx bench/bank-marketing.ts [--holdout 0.2] [--epochs 30] [--seed 42] [--direct] [--keep]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadBankDirect } from './bank-marketing-direct.ts';
import { trainModel } from '../models/training/train-model.ts';
import type { ModelMetrics } from '../models/registry/model-registry.ts';

const CSV = path.resolve('../shared/data/bank-marketing/bank-full.csv');
const MAPPING = 'pipelines/ingest/mappings/bank-marketing.json';
const { values: args } = parseArgs({ options: {
  holdout: { type: 'string', default: '0.2' }, epochs: { type: 'string', default: '30' }, seed: { type: 'string', default: '42' },
  direct: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false },
} });

function machine(): string {
  return `${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, node ${process.version}`;
}

function report(label: string, m: Pick<ModelMetrics, 'roc_auc' | 'pr_auc' | 'log_loss'>): string {
  return `${label.padEnd(22)} roc_auc ${m.roc_auc.toFixed(4)}  pr_auc ${m.pr_auc.toFixed(4)}  log_loss ${m.log_loss.toFixed(4)}`;
}

function almanac(home: string, ...argv: string[]): string {
  const started = Date.now();
  process.stderr.write(`$ almanac ${argv.join(' ')}\n`);
  const out = execFileSync('node', ['app/bin.js', ...argv], { env: { ...process.env, ALMANAC_HOME: home, ALMANAC_FSYNC: 'none' }, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 }).toString();
  process.stderr.write(`  (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return out;
}

async function viaPipeline(): Promise<{ metrics: ModelMetrics; rows: number }> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-bank-'));
  try {
    almanac(home, 'ingest', CSV, '--mapping', MAPPING, '--quiet');
    almanac(home, 'features', 'backfill');
    almanac(home, 'features', 'training-set');
    const out = JSON.parse(almanac(home, 'train', '--holdout', args.holdout, '--epochs', args.epochs, '--seed', args.seed, '--json')) as { metrics: ModelMetrics };
    const list = JSON.parse(almanac(home, 'models', 'list', '--json')) as { versions: { lineage: { parameters: { split: { trainRows: number; validationRows: number; holdoutRows: number } } } }[] };
    const split = list.versions[0]?.lineage.parameters.split;
    return { metrics: out.metrics, rows: (split?.trainRows ?? 0) + (split?.validationRows ?? 0) + (split?.holdoutRows ?? 0) };
  } finally {
    if (args.keep) process.stderr.write(`home kept at ${home}\n`);
    else rmSync(home, { recursive: true, force: true });
  }
}

async function direct(): Promise<{ metrics: ModelMetrics; rows: number }> {
  const set = loadBankDirect(CSV);
  const m = await trainModel(set, { holdout: Number(args.holdout), network: { epochs: Number(args.epochs), seed: Number(args.seed) }, baseline: { epochs: Number(args.epochs), seed: Number(args.seed) } });
  return { metrics: m.metrics, rows: set.examples.length };
}

if (!existsSync(CSV)) {
  process.stdout.write(`skipped: ${CSV} not found\n`);
} else {
  const started = Date.now();
  const { metrics, rows } = args.direct ? await direct() : await viaPipeline();
  process.stdout.write([
    `bank-marketing (${args.direct ? 'direct loader, emulated PIT rates' : 'ingest → backfill → training-set → train'}), ${rows} touches, holdout = last ${Number(args.holdout) * 100}% by time: ${metrics.holdout_rows} rows, ${metrics.holdout_positives} positives`,
    `machine: ${machine()}`,
    report('network (MLP)', metrics),
    report('baseline (logistic)', metrics.baseline ?? { roc_auc: Number.NaN, pr_auc: Number.NaN, log_loss: Number.NaN }),
    `reference (SOURCE.md, best Python peer on this split): roc_auc 0.687`,
    `wall time ${((Date.now() - started) / 1000).toFixed(0)} s`,
  ].join('\n') + '\n');
}
