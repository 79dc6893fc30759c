import { z } from 'zod';
import { attributesSchema, stableId, timestampSchema } from './timestamp.ts';

export const CHANNELS = ['email', 'display', 'social', 'search', 'phone', 'sms', 'push', 'direct_mail', 'video'] as const;
export const OBJECTIVES = ['awareness', 'traffic', 'leads', 'sales', 'retention'] as const;

/** Campaign fields shared by a campaign event and a campaign plan (a campaign not run yet). */
export const campaignFields = {
  client_id: stableId,
  industry: z.string().min(1).max(64),
  objective: z.enum(OBJECTIVES),
  channel: z.enum(CHANNELS),
  budget: z.number().min(0).refine(Number.isFinite, 'must be finite'),
  start: timestampSchema,
  end: timestampSchema,
  attributes: attributesSchema.default({}),
};

/** A campaign belongs to one client. Re-sending it (same event_id) is a no-op; a new event_id updates it. */
export const campaignEventSchema = z
  .object({
    type: z.literal('campaign'),
    event_id: stableId,
    campaign_id: stableId,
    ts: timestampSchema,
    ...campaignFields,
  })
  .strict()
  .refine((c) => c.end >= c.start, { path: ['end'], message: 'end must not be before start' });

export type CampaignEvent = z.output<typeof campaignEventSchema>;
