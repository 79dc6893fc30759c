/** Params, bodies and responses of GET /v1/models/:version, POST /v1/models/:version/promote and POST /v1/models/rollback. */
import { z } from 'zod';
import { shownValue } from '../../core/domain/timestamp.ts';
import { bodyBoolean } from './query-fields.ts';

const VERSION_EXPECTED = 'expected a model version (an integer ≥ 1)';

export const modelVersionParamsSchema = z.object({
  version: z.string().refine((v) => /^[1-9]\d{0,8}$/.test(v), { error: (issue) => `${VERSION_EXPECTED}, got ${shownValue(issue.input)}` }).transform(Number),
});

const aliasSchema = z.literal('champion', { error: (issue) => `expected 'champion' (the only alias a promotion moves), got ${shownValue(issue.input)}` });

export const promoteBodySchema = z.object({ alias: aliasSchema.default('champion'), force: bodyBoolean.default(false) }).strict();
export const rollbackBodySchema = z.object({ alias: aliasSchema.default('champion') }).strict();

export const curvesSchema = z.object({
  /** [fpr, tpr] at fpr 0, 0.01, …, 1 on the holdout. */
  roc: z.array(z.tuple([z.number(), z.number()])),
  /** Ten equal-width bins of predicted probability (empty bins left out): mean predicted, observed rate, rows. */
  calibration: z.array(z.object({ predicted: z.number(), observed: z.number(), count: z.number().int() })),
}).nullable();

export const promoteResponseSchema = z.object({ promoted: z.boolean(), reasons: z.array(z.string()), version: z.number().int(), alias: z.literal('champion') });
export const rollbackResponseSchema = z.object({ version: z.number().int(), alias: z.literal('champion') });
