import type { FastifyInstance } from 'fastify';
import { parseEvent, type AlmanacEvent } from '../../core/domain/event.ts';
import { isAlmanacError, type FieldIssue } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { docSchema } from '../schemas/json-schema.ts';
import { errorSchema } from '../schemas/plan-schema.ts';
import { eventsRequestSchema, eventsResponseSchema, type EventsResponse } from '../schemas/events-schema.ts';
import type { ServingRuntime } from '../serving-runtime.ts';

/** A 10k-event batch of ~1 KB events fits. */
export const EVENTS_BODY_LIMIT = 16 * 1024 * 1024;

export function registerEventsRoute(app: FastifyInstance, rt: ServingRuntime): void {
  app.post('/v1/events', {
    bodyLimit: EVENTS_BODY_LIMIT,
    schema: {
      summary: 'Append a batch of events (1–10 000); idempotent by event_id; invalid events are rejected one by one',
      tags: ['events'],
      body: docSchema(eventsRequestSchema),
      response: { 202: docSchema(eventsResponseSchema, 'output'), 400: docSchema(errorSchema), 413: docSchema(errorSchema) },
    },
  }, async (request, reply) => {
    const { events } = parseOrThrow(eventsRequestSchema, request.body, 'events batch');
    const valid: AlmanacEvent[] = [];
    const rejected: EventsResponse['rejected'] = [];
    const time = { bounds: rt.deps.config.events, now: Date.now() };
    events.forEach((raw, index) => {
      try {
        valid.push(parseEvent(raw, `events.${index}`, time));
      } catch (e) {
        if (!isAlmanacError(e)) throw e;
        const issues = (e.details.issues as FieldIssue[] | undefined) ?? [{ path: `events.${index}`, reason: e.message }];
        for (const issue of issues) rejected.push({ index, path: issue.path, reason: issue.reason });
      }
    });
    let counts = { accepted: 0, duplicates: 0 };
    if (valid.length > 0) counts = await rt.guards.eventLog.call('append', () => rt.deps.appendEvents(rt.deps.eventLog, valid));
    return reply.status(202).send({ accepted: counts.accepted, duplicates: counts.duplicates, rejected });
  });
}
