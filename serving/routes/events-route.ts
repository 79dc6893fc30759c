import type { FastifyInstance } from 'fastify';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { parseEvent, type AlmanacEvent } from '../../core/domain/event.ts';
import { invalidInput, isAlmanacError, type FieldIssue } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { docSchema } from '../schemas/json-schema.ts';
import { errorSchema } from '../schemas/plan-schema.ts';
import { EVENTS_JSON_LIMITS, eventsRequestSchema, eventsResponseSchema, type EventsResponse } from '../schemas/events-schema.ts';
import { authResponses } from '../schemas/auth-responses.ts';
import type { ServingRuntime } from '../serving-runtime.ts';

/** A 10k-event batch of ~1 KB events fits. */
export const EVENTS_BODY_LIMIT = 16 * 1024 * 1024;

/** Validation gives the event loop back after this long (ms), so a big batch never holds up other requests for more. */
const SLICE_MS = 2;

type Rejection = EventsResponse['rejected'][number];

export function registerEventsRoute(app: FastifyInstance, rt: ServingRuntime): void {
  const maxReasons = rt.deps.config.serving.limits.maxRejectReasons;
  app.post('/v1/events', {
    bodyLimit: EVENTS_BODY_LIMIT,
    config: { auth: 'events:write', jsonLimits: EVENTS_JSON_LIMITS },
    schema: {
      summary: 'Append a batch of events (1–10 000); idempotent by (client_id, event_id); invalid or not-owned events are rejected one by one',
      description: `A tenant key writes its own client's events only; an ingest key those of its listed clients. A campaign belongs to the client that created it; touches and outcomes must refer to a campaign of their own client. A batch with ${maxReasons} or more validation reasons is refused whole (400, nothing written): validation stops there and the answer lists the first ${maxReasons}.`,
      tags: ['events'],
      security: [{ bearer: [] }],
      body: docSchema(eventsRequestSchema),
      response: { 202: docSchema(eventsResponseSchema, 'output'), 400: docSchema(errorSchema), 413: docSchema(errorSchema), ...authResponses() },
    },
  }, async (request, reply) => {
    const { events } = parseOrThrow(eventsRequestSchema, request.body, 'events batch');
    const { valid, validIndex, rejected } = await validateEvents(events, { bounds: rt.deps.config.events, now: Date.now() }, maxReasons);
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

/**
 * Validates each event on its own, giving the event loop back every SLICE_MS. At `maxReasons`
 * reasons it stops and throws: the batch is refused whole, with those reasons and how many events
 * were not checked.
 * @throws ALMANAC_ERR_INPUT_INVALID (400) when the batch has `maxReasons` reasons or more
 */
export async function validateEvents(events: readonly unknown[], time: Parameters<typeof parseEvent>[2], maxReasons: number):
  Promise<{ valid: AlmanacEvent[]; validIndex: number[]; rejected: Rejection[] }> {
  const valid: AlmanacEvent[] = [];
  const validIndex: number[] = [];
  const rejected: Rejection[] = [];
  let badEvents = 0;
  let sliceStart = performance.now();
  for (let index = 0; index < events.length; index++) {
    if ((index & 31) === 31 && performance.now() - sliceStart > SLICE_MS) {
      await yieldToLoop();
      sliceStart = performance.now();
    }
    try {
      valid.push(parseEvent(events[index], `events.${index}`, time));
      validIndex.push(index);
    } catch (e) {
      if (!isAlmanacError(e)) throw e;
      badEvents++;
      const issues = (e.details.issues as FieldIssue[] | undefined) ?? [{ path: `events.${index}`, reason: e.message }];
      for (const issue of issues) {
        rejected.push({ index, path: issue.path, reason: issue.reason });
        if (rejected.length >= maxReasons) throw tooManyReasons(rejected, badEvents, index + 1, events.length);
      }
    }
  }
  return { valid, validIndex, rejected };
}

function tooManyReasons(rejected: Rejection[], badEvents: number, checked: number, total: number): Error {
  const unchecked = total - checked;
  const first = rejected[0] as Rejection;
  const message = `invalid events batch: ${rejected.length} reasons in ${badEvents} of the first ${checked} events (first: ${first.path}: ${first.reason}); `
    + `validation stopped there${unchecked > 0 ? `, ${unchecked} more events were not checked` : ''}; nothing was written — fix these and send the batch again`;
  const issues = rejected.map((r) => ({ path: r.path, reason: r.reason }));
  return invalidInput(message, issues, { invalid_events: badEvents, checked_events: checked, unchecked_events: unchecked });
}
