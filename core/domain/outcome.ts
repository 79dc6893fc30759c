import { z } from 'zod';
import { stableId, timestampSchema } from './timestamp.ts';

export const OUTCOME_KINDS = ['click', 'conversion'] as const;

/**
 * A success event attributed to a touch. A touch's label is "converted" when a conversion outcome
 * arrives within the attribution window after the touch; it is known only after that window.
 */
export const outcomeEventSchema = z
  .object({
    type: z.literal('outcome'),
    event_id: stableId,
    touch_id: stableId,
    campaign_id: stableId,
    client_id: stableId,
    ts: timestampSchema,
    kind: z.enum(OUTCOME_KINDS),
    value: z.number().refine(Number.isFinite, 'must be finite').optional(),
  })
  .strict();

export type OutcomeEvent = z.output<typeof outcomeEventSchema>;
