import { z } from 'zod';
import { CHANNELS } from './campaign.ts';
import { attributesSchema, stableId, timestampSchema } from './timestamp.ts';

/** Who was contacted: a segment plus free audience attributes (age band, …). */
export const audienceSchema = z
  .object({
    segment: z.string().min(1).max(64),
  })
  .catchall(z.union([z.string().max(256), z.number().refine(Number.isFinite, 'must be finite'), z.boolean(), z.null()]));

/** One contact of an audience member or segment by a campaign at a time. `touch_id` is stable. */
export const touchEventSchema = z
  .object({
    type: z.literal('touch'),
    event_id: stableId,
    touch_id: stableId,
    campaign_id: stableId,
    client_id: stableId,
    ts: timestampSchema,
    channel: z.enum(CHANNELS).optional(),
    cost: z.number().min(0).refine(Number.isFinite, 'must be finite').optional(),
    audience: audienceSchema,
    attributes: attributesSchema.default({}),
  })
  .strict();

export type TouchEvent = z.output<typeof touchEventSchema>;
export type Audience = z.output<typeof audienceSchema>;
