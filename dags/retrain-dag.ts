/**
 * The retrain DAG: stream catch-up → materialize → training set → train (+ holdout evaluation,
 * registered as challenger) → evaluate against the gate → promote → reindex patterns.
 * A failure anywhere (training, a challenger rejected by the gate) skips promotion and
 * reindexing, so the previous champion and its pattern index keep serving.
 *
 * Each step calls its area's one function (lazy imports keep `almanac dag list` light); the gate
 * and promotion steps are retrain-steps.ts, which the demo runs too.
 */
import { RETRAIN_DEFAULTS } from '../core/config.ts';
import type { TrainingSet } from '../features/training-set.ts';
import type { ChallengerVerdict, ModelMetrics, ModelRegistry, ModelVersion, PromotionGate } from '../models/registry/model-registry.ts';
import { gateFromConfig } from '../models/registry/promotion-gate.ts';
import { defineDag, type Dag, type DagTask, type TaskContext } from './dag.ts';
import { evaluateChallenger, promoteChallenger } from './retrain-steps.ts';

export const RETRAIN_DAG = 'retrain';

export type RetrainTaskId = 'stream' | 'materialize' | 'training-set' | 'train' | 'evaluate' | 'promote' | 'reindex';

export interface RetrainOptions {
  /** Cron expression; undefined = config's default; 'off' = manual only (config: retrain.schedule / ALMANAC_RETRAIN_SCHEDULE). */
  schedule?: string;
  /** The promotion gate; undefined = the run's config (retrain.minRocAuc, gateMetric, gateTolerance). */
  gate?: PromotionGate;
  epochs?: number;
  seed?: number;
  /** Replaces a task's run function (tests, fault injection). */
  override?: Partial<Record<RetrainTaskId, (ctx: TaskContext) => Promise<unknown>>>;
  /** Opens the registry (tests inject one). */
  openRegistry?: (ctx: TaskContext) => Promise<ModelRegistry>;
}

interface TrainingSetOutput { dir: string; set: TrainingSet }
interface TrainOutput { version: ModelVersion; metrics: ModelMetrics }

type OpenRegistry = (ctx: TaskContext) => Promise<ModelRegistry>;

function describeGate(gate: PromotionGate | undefined): string {
  if (!gate) return 'gate (config retrain.*): holdout roc_auc ≥ minRocAuc, gateMetric not worse than champion − gateTolerance';
  const sign = gate.metric === 'log_loss' ? '+' : '−';
  return `gate: holdout roc_auc ≥ ${gate.minRocAuc}, ${gate.metric} not worse than champion ${sign} ${gate.tolerance}`;
}

export function retrainDag(options: RetrainOptions = {}): Dag {
  const gateOf = (ctx: TaskContext): PromotionGate => options.gate ?? gateFromConfig(ctx.config);
  const schedule = options.schedule ?? RETRAIN_DEFAULTS.schedule;
  const openRegistry = options.openRegistry ?? defaultRegistry;
  const task = <T>(t: DagTask<T> & { id: RetrainTaskId }): DagTask<T> => {
    const replaced = options.override?.[t.id];
    return replaced ? { ...t, run: replaced as (ctx: TaskContext) => Promise<T> } : t;
  };
  return defineDag({
    name: RETRAIN_DAG,
    description: 'materialize → training set → train → evaluate → promote (gate) → reindex patterns',
    ...(schedule === 'off' ? {} : { schedule }),
    tasks: [
      task({ id: 'stream', description: 'consume new events until caught up', retries: 2, timeoutMs: 30 * 60_000, run: runStream, summarize: (r) => ({ ...(r as object) }) }),
      task({ id: 'materialize', dependsOn: ['stream'], description: 'offline → online store', retries: 2, timeoutMs: 30 * 60_000, run: runMaterialize, summarize: (r) => ({ ...(r as object) }) }),
      task<TrainingSetOutput>({
        id: 'training-set', dependsOn: ['materialize'], description: 'point-in-time training set', retries: 1, timeoutMs: 30 * 60_000, run: runTrainingSet,
        summarize: (r) => ({ dir: r.dir, id: r.set.manifest.id, rows: r.set.manifest.rows, positives: r.set.manifest.positives }),
      }),
      task<TrainOutput>({
        id: 'train', dependsOn: ['training-set'], description: 'train, evaluate on the holdout, register as challenger', timeoutMs: 60 * 60_000,
        run: (ctx) => runTrain(ctx, options), summarize: (r) => ({ version: r.version.version, roc_auc: r.metrics.roc_auc, pr_auc: r.metrics.pr_auc, log_loss: r.metrics.log_loss }),
      }),
      task<ChallengerVerdict>({
        id: 'evaluate', dependsOn: ['train'], description: describeGate(options.gate), retries: 1,
        run: (ctx) => runEvaluate(ctx, openRegistry, gateOf(ctx)), summarize: (r) => ({ ...r }),
      }),
      task({ id: 'promote', dependsOn: ['evaluate'], description: 'make the challenger champion', retries: 1, run: (ctx) => runPromote(ctx, openRegistry, gateOf(ctx)), summarize: (r) => ({ ...(r as object) }) }),
      task({ id: 'reindex', dependsOn: ['promote', 'training-set'], description: 'rebuild success patterns with the new champion', retries: 1, timeoutMs: 30 * 60_000, run: (ctx) => runReindex(ctx, openRegistry), summarize: (r) => ({ ...(r as object) }) }),
    ],
  });
}

async function runStream(ctx: TaskContext): Promise<unknown> {
  const { runStreamJob } = await import('../features/jobs/stream-job.ts');
  return runStreamJob(ctx.config, { untilCaughtUp: true, quiet: true, signal: ctx.signal });
}

async function runMaterialize(ctx: TaskContext): Promise<unknown> {
  const { materialize } = await import('../features/materialize.ts');
  return materialize(ctx.config, { quiet: true });
}

async function runTrainingSet(ctx: TaskContext): Promise<TrainingSetOutput> {
  const { buildTrainingSet } = await import('../features/training-set-builder.ts');
  return buildTrainingSet(ctx.config, { quiet: true });
}

async function runTrain(ctx: TaskContext, options: RetrainOptions): Promise<TrainOutput> {
  const { trainAndRegister } = await import('../models/training/train-and-register.ts');
  const { set } = ctx.output<TrainingSetOutput>('training-set');
  return trainAndRegister(ctx.config, { trainingSet: set, quiet: true, ...(options.epochs ? { epochs: options.epochs } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) });
}

async function runEvaluate(ctx: TaskContext, openRegistry: OpenRegistry, gate: PromotionGate): Promise<ChallengerVerdict> {
  const { version } = ctx.output<TrainOutput>('train');
  return evaluateChallenger(await openRegistry(ctx), version.version, gate);
}

async function runPromote(ctx: TaskContext, openRegistry: OpenRegistry, gate: PromotionGate): Promise<unknown> {
  return promoteChallenger(await openRegistry(ctx), ctx.output<ChallengerVerdict>('evaluate'), gate);
}

async function runReindex(ctx: TaskContext, openRegistry: OpenRegistry): Promise<unknown> {
  const { indexWithChampion } = await import('../embeddings/patterns/index-with-champion.ts');
  const { set } = ctx.output<TrainingSetOutput>('training-set');
  return indexWithChampion(ctx.config, { trainingSet: set, registry: await openRegistry(ctx), quiet: true });
}

async function defaultRegistry(ctx: TaskContext): Promise<ModelRegistry> {
  const { createModelRegistry } = await import('../models/registry/create-model-registry.ts');
  return createModelRegistry(ctx.config);
}
