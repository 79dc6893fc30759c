/** Request shapes shared by the predict and pattern-search routes: a touch and a campaign plan. */
import { z } from 'zod';
import { campaignFields } from '../../core/domain/campaign.ts';
import { attributesSchema, stableId, timestampSchema } from '../../core/domain/timestamp.ts';
import { audienceSchema } from '../../core/domain/touch.ts';
import { CHANNELS } from '../../core/domain/campaign.ts';

export const MAX_AUDIENCE = 1000;

/**
 * A campaign not run yet: the campaign's fields plus the audience segments it would touch.
 * `planSchema` is the plan with its tenant resolved; `planBodySchema` is what a request may send
 * (client_id may be left out: the tenant comes from the API key, serving/authentication.ts).
 */
const planOf = <C extends z.ZodType<string | undefined>>(clientId: C) => z
  .object({
    ...campaignFields,
    client_id: clientId,
    audience: z.array(audienceSchema).min(1, 'a plan needs at least one audience segment').max(MAX_AUDIENCE, `at most ${MAX_AUDIENCE} audience segments`),
  })
  .strict()
  .refine((p) => p.end >= p.start, { path: ['end'], message: 'end must not be before start' });

export const planSchema = planOf(stableId);
export const planBodySchema = planOf(stableId.optional());

/** One touch of a live campaign (known campaign_id); `ts` defaults to now. Body form: client_id optional. */
const touchOf = <C extends z.ZodType<string | undefined>>(clientId: C) => z
  .object({
    client_id: clientId,
    campaign_id: stableId,
    ts: timestampSchema.optional(),
    channel: z.enum(CHANNELS).optional(),
    audience: audienceSchema,
    attributes: attributesSchema.default({}),
  })
  .strict();

export const touchRequestSchema = touchOf(stableId);
export const touchBodySchema = touchOf(stableId.optional());

export type PlanRequest = z.output<typeof planSchema>;
export type TouchRequest = z.output<typeof touchRequestSchema>;
export type PlanBody = z.output<typeof planBodySchema>;
export type TouchBody = z.output<typeof touchBodySchema>;

/** The error body of every 4xx/5xx response. */
export const errorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.object({ issues: z.array(z.object({ path: z.string(), reason: z.string() })).optional() }).loose().optional(),
});
