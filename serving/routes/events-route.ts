import type { FastifyInstance } from 'fastify';
import { parseOrThrow } from '../../core/validation.ts';
import { EventBatchCheck, validateEvents } from '../event-batch-check.ts';
import { installEventsBodyReader, StreamedEventsBatch } from '../events-body.ts';
import { docSchema } from '../schemas/json-schema.ts';
import { errorSchema } from '../schemas/plan-schema.ts';
import { EVENTS_JSON_LIMITS, eventsRequestSchema, eventsResponseSchema } from '../schemas/events-schema.ts';
import { authResponses } from '../schemas/auth-responses.ts';
import type { ServingRuntime } from '../serving-runtime.ts';

/** A 10k-event batch of ~1 KB events fits. */
export const EVENTS_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * POST /v1/events, in a plugin of its own: its body parser is the streamed events reader
 * (serving/events-body.ts), which validates the batch as it is read.
 */
export function registerEventsRoute(app: FastifyInstance, rt: ServingRuntime): void {
  void app.register(async (scope) => { eventsRoute(scope, rt); });
}

function eventsRoute(app: FastifyInstance, rt: ServingRuntime): void {
  const maxReasons = rt.deps.config.serving.limits.maxRejectReasons;
  const time = () => ({ bounds: rt.deps.config.events, now: Date.now() });
  installEventsBodyReader(app, () => new EventBatchCheck(time(), maxReasons), rt.foreground); // counted against the route's jsonLimits
  app.post('/v1/events', {
    bodyLimit: EVENTS_BODY_LIMIT,
    config: { auth: 'events:write', jsonLimits: EVENTS_JSON_LIMITS, readsOwnJson: true },
    schema: {
      summary: 'Append a batch of events (1–10 000); idempotent by (client_id, event_id); invalid or not-owned events are rejected one by one',
      description: `A tenant key writes its own client's events only; an ingest key those of its listed clients. A campaign belongs to the client that created it; touches and outcomes must refer to a campaign of their own client. A batch with ${maxReasons} or more validation reasons is refused whole (400, nothing written): validation stops there and the answer lists the first ${maxReasons}.`,
      tags: ['events'],
      security: [{ bearer: [] }],
      body: docSchema(eventsRequestSchema),
      response: { 202: docSchema(eventsResponseSchema, 'output'), 400: docSchema(errorSchema), 413: docSchema(errorSchema), ...authResponses() },
    },
  }, async (request, reply) => {
    const { valid, validIndex, rejected } = request.body instanceof StreamedEventsBatch
      ? request.body.checked // read by the streamed reader, validated as it came
      : await validateEvents(parseOrThrow(eventsRequestSchema, request.body, 'events batch').events, time(), maxReasons);
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
