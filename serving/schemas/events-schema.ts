import { z } from 'zod';
import type { JsonLimits } from '../json-body.ts';

export const MAX_EVENTS_PER_BATCH = 10_000;

/**
 * JSON limits of POST /v1/events (serving/json-body.ts): one array of up to 10 000 events, each at
 * most ~40 values on average (a touch event has ~15), nested no deeper than an event's attributes allow.
 */
export const EVENTS_JSON_LIMITS: JsonLimits = { maxArrayItems: MAX_EVENTS_PER_BATCH, maxValues: MAX_EVENTS_PER_BATCH * 40, maxDepth: 32 };

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
