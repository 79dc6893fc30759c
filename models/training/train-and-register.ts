/**
 * Trains the model families on a training set (train-model.ts: selection on time-ordered
 * validation), exports the one chosen to ONNX (a network, or a tree ensemble), registers it with
 * metrics (with the leaderboard of every candidate), signature and lineage, and points the alias
 * 'challenger' at it. Promotion is a separate step
 * (`registry.promote(version, { gate })`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AlmanacConfig } from '../../core/config.ts';
import { createProgress, progressBarFits, type Progress } from '../../core/progress.ts';
import type { TrainingSet } from '../../features/training-set.ts';
import { checkRowBound, sampleTrainingSet, type TrainingSample } from '../../features/training-set-sample.ts';
import { buildOnnxModel } from '../onnx/build-onnx-model.ts';
import { buildTreeOnnxModel } from '../onnx/build-tree-onnx.ts';
import { createModelRegistry } from '../registry/create-model-registry.ts';
import type { ModelLineage, ModelMetrics, ModelRegistry, ModelVersion } from '../registry/model-registry.ts';
import { codeVersion } from './code-version.ts';
import type { ModelFamily } from './model-family.ts';
import { trainModel, type TrainedModel, type TrainModelOptions } from './train-model.ts';
import type { EpochReport, NetworkParameters } from './train-network.ts';

export const DEFAULT_MODEL_NAME = 'touch-success';

export interface TrainAndRegisterOptions {
  trainingSet: TrainingSet;
  epochs?: number;
  quiet?: boolean;
  seed?: number;
  /** Holdout fraction (latest touches by time). Default 0.2. */
  holdout?: number;
  name?: string;
  network?: Partial<NetworkParameters>;
  registry?: ModelRegistry;
  encoding?: TrainModelOptions['encoding'];
  /** Families to train (default: all). */
  families?: readonly ModelFamily[];
  /** Validation folds of the time split (default: train-model's TIME_FOLDS). */
  folds?: number;
  /**
   * Train on a sample of at most about this many rows when the set is bigger
   * (features/training-set-sample.ts; recorded in the lineage's parameters.sample). Default: all rows.
   */
  maxRows?: number;
}

/** The ONNX bytes of a trained model, whatever its family. */
export function onnxBytesOf(model: TrainedModel): Uint8Array {
  return model.model.kind === 'trees' ? buildTreeOnnxModel(model.model.ensemble, model.signature) : buildOnnxModel(model.model.weights, model.signature);
}

function epochLine(model: string, r: EpochReport, total: number): string {
  return `[train ${model}] epoch ${r.epoch}/${total} loss ${r.loss.toFixed(4)} val_roc_auc ${r.validationAuc.toFixed(4)} val_log_loss ${r.validationLogLoss.toFixed(4)}\n`;
}

/**
 * Training's output on stderr: on a terminal, a progress bar over each network fit's epochs (one
 * per fit and fold), with the candidate lines between bars; elsewhere one line per epoch, as before.
 */
function epochOutput(total: number): { epoch(name: string, r: EpochReport): void; line(text: string): void; end(): void } {
  if (!progressBarFits(process.stderr)) {
    return { epoch: (name, r) => process.stderr.write(epochLine(name, r, total)), line: (text) => process.stderr.write(`${text}\n`), end: () => undefined };
  }
  let bar: Progress | undefined;
  let last = 0;
  const end = () => { bar?.done(); bar = undefined; };
  return {
    epoch(name, r) {
      if (bar === undefined || r.epoch <= last) {
        end();
        bar = createProgress({ label: `train ${name}`, unit: 'epochs', total });
      }
      last = r.epoch;
      bar.update(r.epoch, `val_roc_auc ${r.validationAuc.toFixed(4)}`);
    },
    line(text) { end(); process.stderr.write(`${text}\n`); },
    end,
  };
}

function lineageOf(set: TrainingSet, model: TrainedModel, sample: TrainingSample['sample']): ModelLineage {
  const m = set.manifest;
  return {
    trainingSetId: m.id,
    trainingRange: m.range,
    featureViews: m.featureViews,
    eventLogOffsets: m.eventLogOffsets,
    codeVersion: codeVersion(),
    parameters: { ...model.parameters, split: model.split, attributionWindowMs: m.attributionWindowMs, ...(sample ? { sample } : {}) },
    columns: m.columns,
    origin: 'almanac',
  };
}

/** @throws ALMANAC_ERR_TRAINING_FAILED when the set cannot train a model (too few rows, one class). */
export async function trainAndRegister(config: AlmanacConfig, options: TrainAndRegisterOptions): Promise<{ version: ModelVersion; metrics: ModelMetrics; seconds: TrainedModel['seconds'] }> {
  const epochs = options.epochs ?? options.network?.epochs ?? 30;
  const seed = options.seed ?? options.network?.seed ?? 42;
  const epochs_ = epochOutput(epochs);
  if (options.maxRows !== undefined) checkRowBound(options.maxRows, 'maxRows');
  const { set: trainOn, sample } = sampleTrainingSet(options.trainingSet, options.maxRows ?? Infinity);
  if (sample && !options.quiet) epochs_.line(`[train] on a sample of ${sample.rows} of the set's ${sample.of} rows (by touch id hash)`);
  const model = await trainModel(trainOn, {
    holdout: options.holdout ?? 0.2,
    network: { ...options.network, epochs, seed },
    ...(options.encoding ? { encoding: options.encoding } : {}),
    ...(options.families ? { families: options.families } : {}),
    ...(options.folds !== undefined ? { folds: options.folds } : {}),
    onEpoch: (name, r) => { if (!options.quiet) epochs_.epoch(name, r); },
    onProgress: (line) => { if (!options.quiet) epochs_.line(line); },
  });
  epochs_.end();
  const registry = options.registry ?? (await createModelRegistry(config));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'almanac-export-'));
  try {
    const onnxFile = path.join(dir, 'model.onnx');
    await writeFile(onnxFile, onnxBytesOf(model));
    const version = await registry.register({
      name: options.name ?? DEFAULT_MODEL_NAME, onnxFile, metrics: model.metrics, signature: model.signature, lineage: lineageOf(options.trainingSet, model, sample),
    });
    await registry.setAlias('challenger', version.version);
    return { version: await registry.get(version.version), metrics: model.metrics, seconds: model.seconds };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
