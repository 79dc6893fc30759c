import { z } from 'zod';
import { stableId, timestampSchema } from './timestamp.ts';

/** A tenant (advertiser/business). Its own campaigns are private to it. */
export const clientEventSchema = z
  .object({
    type: z.literal('client'),
    event_id: stableId,
    client_id: stableId,
    ts: timestampSchema,
    name: z.string().max(256).optional(),
    industry: z.string().min(1).max(64),
    region: z.string().max(64).optional(),
  })
  .strict();

export type ClientEvent = z.output<typeof clientEventSchema>;
