/** Zod schemas of an InputSignature and of model metrics, for files given on the command line. */
import { z } from 'zod';
import { AlmanacError } from '../../core/errors.ts';
import { fieldIssues } from '../../core/validation.ts';
import { featureWidth } from '../inference/encode.ts';
import type { InputSignature, ModelMetrics } from './model-registry.ts';

const name = z.string().min(1);

const numericFeature = z.object({
  name, type: z.literal('numeric'), mean: z.number(), std: z.number().positive(), fill: z.number(), missingIndicator: z.boolean(), clip: z.number().positive().optional(),
  transform: z.literal('signed_log1p').optional(),
  bins: z.array(z.number()).min(1).optional().refine((b) => b === undefined || b.every((v, i) => i === 0 || v > (b[i - 1] as number)), 'must be strictly ascending'),
}).strict();

const categoricalFeature = z.object({ name, type: z.literal('categorical'), vocabulary: z.array(z.string()), hashBuckets: z.number().int().min(1).max(4096).optional() }).strict();

export const signatureSchema = z.object({
  features: z.array(z.discriminatedUnion('type', [numericFeature, categoricalFeature])).min(1),
  inputWidth: z.number().int().positive(),
  outputs: z.object({ probability: name, embedding: name.optional() }).strict(),
  inputName: name,
  embeddingWidth: z.number().int().positive().optional(),
}).strict().superRefine((s, ctx) => {
  const width = s.features.reduce((sum, f) => sum + featureWidth(f), 0);
  if (width !== s.inputWidth) ctx.addIssue({ code: 'custom', path: ['inputWidth'], message: `is ${s.inputWidth} but the features add up to ${width} (numeric 1 + missing indicator + bins + 1, categorical vocabulary + 1 OOV slot + hash buckets)` });
  if (Boolean(s.outputs.embedding) !== Boolean(s.embeddingWidth)) ctx.addIssue({ code: 'custom', path: ['embeddingWidth'], message: 'must be given exactly when outputs.embedding is' });
});

const metric = z.number().min(0);

export const metricsSchema = z.object({
  roc_auc: metric.max(1),
  pr_auc: metric.max(1).optional(),
  log_loss: metric.optional(),
  calibration: z.array(z.object({ bin: z.number().int(), count: z.number().int(), mean_predicted: z.number(), observed_rate: z.number() }).strict()).default([]),
  holdout_rows: z.number().int().min(0).default(0),
  holdout_positives: z.number().int().min(0).default(0),
}).strict();

function parseModelFile<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = fieldIssues(result.error);
  const first = issues[0];
  throw new AlmanacError('ALMANAC_ERR_MODEL_INVALID', `invalid ${what}: ${first?.path}: ${first?.reason}${issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}`, { details: { issues } });
}

/** @throws ALMANAC_ERR_MODEL_INVALID naming the field. */
export function parseSignature(value: unknown, what = 'signature'): InputSignature {
  return parseModelFile(signatureSchema, value, what) as InputSignature;
}

/** Metrics of an external model; absent ones are unknown (NaN). @throws ALMANAC_ERR_MODEL_INVALID */
export function parseMetrics(value: unknown, what = 'metrics'): ModelMetrics {
  const m = parseModelFile(metricsSchema, value, what);
  return { ...m, pr_auc: m.pr_auc ?? Number.NaN, log_loss: m.log_loss ?? Number.NaN };
}

/** Metrics of a model registered without any: every figure unknown. */
export const UNKNOWN_METRICS: ModelMetrics = { roc_auc: Number.NaN, pr_auc: Number.NaN, log_loss: Number.NaN, calibration: [], holdout_rows: 0, holdout_positives: 0 };
