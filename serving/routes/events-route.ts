import type { FastifyInstance } from 'fastify';
import { parseEvent, type AlmanacEvent } from '../../core/domain/event.ts';
import { isAlmanacError, type FieldIssue } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { docSchema } from '../schemas/json-schema.ts';
import { errorSchema } from '../schemas/plan-schema.ts';
import { eventsRequestSchema, eventsResponseSchema, type EventsResponse } from '../schemas/events-schema.ts';
import { authResponses } from '../schemas/auth-responses.ts';
import type { ServingRuntime } from '../serving-runtime.ts';

/** A 10k-event batch of ~1 KB events fits. */
export const EVENTS_BODY_LIMIT = 16 * 1024 * 1024;

export function registerEventsRoute(app: FastifyInstance, rt: ServingRuntime): void {
  app.post('/v1/events', {
    bodyLimit: EVENTS_BODY_LIMIT,
    config: { auth: 'events:write' },
    schema: {
      summary: 'Append a batch of events (1–10 000); idempotent by (client_id, event_id); invalid or not-owned events are rejected one by one',
      description: 'A tenant key writes its own client\'s events only; an ingest key those of its listed clients. A campaign belongs to the client that created it; touches and outcomes must refer to a campaign of their own client.',
      tags: ['events'],
      security: [{ bearer: [] }],
      body: docSchema(eventsRequestSchema),
      response: { 202: docSchema(eventsResponseSchema, 'output'), 400: docSchema(errorSchema), 413: docSchema(errorSchema), ...authResponses() },
    },
  }, async (request, reply) => {
    const { events } = parseOrThrow(eventsRequestSchema, request.body, 'events batch');
    const valid: AlmanacEvent[] = [];
    const validIndex: number[] = [];
    const rejected: EventsResponse['rejected'] = [];
    const time = { bounds: rt.deps.config.events, now: Date.now() };
    events.forEach((raw, index) => {
      try {
        valid.push(parseEvent(raw, `events.${index}`, time));
        validIndex.push(index);
      } catch (e) {
        if (!isAlmanacError(e)) throw e;
        const issues = (e.details.issues as FieldIssue[] | undefined) ?? [{ path: `events.${index}`, reason: e.message }];
        for (const issue of issues) rejected.push({ index, path: issue.path, reason: issue.reason });
      }
    });
    const principal = request.principal!;
    const admission = await rt.admission.admit(valid, { kind: 'principal', principal });
    for (const r of admission.rejected) {
      const index = validIndex[r.index] as number;
      rejected.push({ index, path: `events.${index}.${r.path}`, reason: r.reason });
      rt.deps.metrics.eventsRejected.inc({ job: 'api', reason: r.code });
    }
    rejected.sort((a, b) => a.index - b.index);
    if (admission.admitted.some((e) => e.type === 'campaign' || e.type === 'client')) rt.ownershipVersion++;
    let counts = { accepted: 0, duplicates: 0 };
    if (admission.admitted.length > 0) counts = await rt.guards.eventLog.call('append', () => rt.deps.appendEvents(rt.deps.eventLog, admission.admitted));
    request.auditDetail = { accepted: counts.accepted, duplicates: counts.duplicates, rejected: rejected.length };
    return reply.status(202).send({ accepted: counts.accepted, duplicates: counts.duplicates, rejected });
  });
}
