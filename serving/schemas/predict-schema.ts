import { z } from 'zod';
import { planBodySchema, touchBodySchema } from './plan-schema.ts';

/** POST /v1/predict: exactly one of `touch` or `plan` (client_id may be left out: it comes from the key). */
export const predictRequestSchema = z
  .object({ touch: touchBodySchema.optional(), plan: planBodySchema.optional() })
  .strict()
  .superRefine((body, ctx) => {
    if ((body.touch === undefined) === (body.plan === undefined)) {
      ctx.addIssue({ code: 'custom', path: body.touch ? ['plan'] : ['touch'], message: 'send exactly one of touch or plan' });
    }
  });

export const predictResponseSchema = z.object({
  probability: z.number().min(0).max(1),
  model_version: z.number().int(),
  features_missing: z.array(z.string()),
  audience: z.array(z.object({ segment: z.string(), probability: z.number() })).optional(),
  degraded: z.array(z.string()).optional(),
});

export type PredictRequest = z.output<typeof predictRequestSchema>;
export type PredictResponse = z.output<typeof predictResponseSchema>;
