/**
 * The retrain DAG: stream catch-up → materialize → training set → train (+ holdout evaluation,
 * registered as challenger) → evaluate against the gate → promote → reindex patterns.
 * A failure anywhere (training, a challenger below the gate) skips promotion and reindexing,
 * so the previous champion and its pattern index keep serving.
 *
 * Each step calls its area's one function (lazy imports keep `almanac dag list` light).
 */
import { AlmanacError } from '../core/errors.ts';
import type { TrainingSet } from '../features/training-set.ts';
import type { ModelMetrics, ModelRegistry, ModelVersion, PromotionGate } from '../models/registry/model-registry.ts';
import { defineDag, type Dag, type DagTask, type TaskContext } from './dag.ts';
import { DEFAULT_MIN_ROC_AUC, judgeChallenger, type GateVerdict } from './model-gate.ts';

export const RETRAIN_DAG = 'retrain';
export const DEFAULT_RETRAIN_SCHEDULE = '0 3 * * *';
export const DEFAULT_GATE: PromotionGate = { metric: 'roc_auc', tolerance: 0.01 };

export type RetrainTaskId = 'stream' | 'materialize' | 'training-set' | 'train' | 'evaluate' | 'promote' | 'reindex';

export interface RetrainOptions {
  /** Cron expression; undefined = '0 3 * * *'; 'off' = manual only (config: retrain.schedule / ALMANAC_RETRAIN_SCHEDULE). */
  schedule?: string;
  gate?: PromotionGate;
  /** Absolute holdout ROC AUC floor; undefined = 0.55 (config: retrain.minRocAuc / ALMANAC_RETRAIN_MIN_AUC). */
  minRocAuc?: number;
  epochs?: number;
  seed?: number;
  /** Replaces a task's run function (tests, fault injection). */
  override?: Partial<Record<RetrainTaskId, (ctx: TaskContext) => Promise<unknown>>>;
  /** Opens the registry (tests inject one). */
  openRegistry?: (ctx: TaskContext) => Promise<ModelRegistry>;
}

interface TrainingSetOutput { dir: string; set: TrainingSet }
interface TrainOutput { version: ModelVersion; metrics: ModelMetrics }

export function retrainDag(options: RetrainOptions = {}): Dag {
  const gate = options.gate ?? DEFAULT_GATE;
  const schedule = options.schedule ?? DEFAULT_RETRAIN_SCHEDULE;
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
      task<GateVerdict & { version: number }>({
        id: 'evaluate', dependsOn: ['train'], description: `gate: ${gate.metric} not worse than champion − ${gate.tolerance}`, retries: 1,
        run: (ctx) => runEvaluate(ctx, openRegistry, gate, options.minRocAuc ?? DEFAULT_MIN_ROC_AUC), summarize: (r) => ({ ...r }),
      }),
      task({ id: 'promote', dependsOn: ['evaluate'], description: 'make the challenger champion', retries: 1, run: (ctx) => runPromote(ctx, openRegistry, gate), summarize: (r) => ({ ...(r as object) }) }),
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

async function runEvaluate(ctx: TaskContext, openRegistry: (ctx: TaskContext) => Promise<ModelRegistry>, gate: PromotionGate, minRocAuc: number): Promise<GateVerdict & { version: number }> {
  const { version, metrics } = ctx.output<TrainOutput>('train');
  const registry = await openRegistry(ctx);
  const champion = await registry.resolve('champion');
  const verdict = judgeChallenger(metrics, champion?.version === version.version ? undefined : champion?.metrics, gate, minRocAuc);
  if (!verdict.passed) {
    throw new AlmanacError('ALMANAC_ERR_MODEL_GATE_FAILED', `model v${version.version} not promoted: ${verdict.reason}; champion ${champion ? `v${champion.version}` : '(none)'} keeps serving`, {
      details: { ...verdict, version: version.version, champion: champion?.version },
    });
  }
  return { ...verdict, version: version.version };
}

async function runPromote(ctx: TaskContext, openRegistry: (ctx: TaskContext) => Promise<ModelRegistry>, gate: PromotionGate): Promise<unknown> {
  const { version } = ctx.output<TrainOutput>('train');
  const registry = await openRegistry(ctx);
  const current = await registry.resolve('champion');
  if (current?.version === version.version) return { promoted: false, version: version.version, reason: 'already champion' };
  const result = await registry.promote(version.version, { gate });
  return { ...result, version: version.version };
}

async function runReindex(ctx: TaskContext, openRegistry: (ctx: TaskContext) => Promise<ModelRegistry>): Promise<unknown> {
  const registry = await openRegistry(ctx);
  const champion = await registry.resolve('champion');
  if (!champion) throw new AlmanacError('ALMANAC_ERR_MODEL_NOT_READY', 'no champion model to embed patterns with');
  const [{ loadScorer }, { buildPatternIndex }] = await Promise.all([
    import('../models/inference/onnx-scorer.ts'),
    import('../embeddings/patterns/build-pattern-index.ts'),
  ]);
  const { set } = ctx.output<TrainingSetOutput>('training-set');
  const scorer = await loadScorer(champion);
  try {
    return { ...(await buildPatternIndex(ctx.config, { trainingSet: set, scorer, quiet: true })), model: champion.version };
  } finally {
    await scorer.close();
  }
}

async function defaultRegistry(ctx: TaskContext): Promise<ModelRegistry> {
  const { createModelRegistry } = await import('../models/registry/create-model-registry.ts');
  return createModelRegistry(ctx.config);
}
