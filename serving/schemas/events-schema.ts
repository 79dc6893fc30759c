import { z } from 'zod';

export const MAX_EVENTS_PER_BATCH = 10_000;

/** POST /v1/events: each event is validated on its own (core/domain parseEvent) so one bad event does not reject the batch. */
export const eventsRequestSchema = z
  .object({
    events: z.array(z.unknown()).min(1, 'send at least one event').max(MAX_EVENTS_PER_BATCH, `at most ${MAX_EVENTS_PER_BATCH} events per request`),
  })
  .strict();

export const eventsResponseSchema = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(z.object({ index: z.number().int(), path: z.string(), reason: z.string() })),
});

export type EventsResponse = z.output<typeof eventsResponseSchema>;
