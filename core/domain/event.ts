/**
 * The event contract: every record that enters Almanac is one of these, validated at the edge,
 * carrying a stable `event_id` so that every write is an idempotent upsert.
 */
import { z } from 'zod';
import { campaignEventSchema, type CampaignEvent } from './campaign.ts';
import { clientEventSchema, type ClientEvent } from './client.ts';
import { outcomeEventSchema, type OutcomeEvent } from './outcome.ts';
import { touchEventSchema, type TouchEvent } from './touch.ts';
import { invalidInput } from '../errors.ts';
import { parseOrThrow } from '../validation.ts';
import { DEFAULT_EVENT_TIME_BOUNDS, eventTimeViolation, type EventTimeBounds } from './event-time-bounds.ts';

export const EVENT_TYPES = ['client', 'campaign', 'touch', 'outcome'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const byType = {
  client: clientEventSchema,
  campaign: campaignEventSchema,
  touch: touchEventSchema,
  outcome: outcomeEventSchema,
} as const;

export type AlmanacEvent = ClientEvent | CampaignEvent | TouchEvent | OutcomeEvent;

export interface ParseEventOptions {
  /** The accepted window of `ts` (default DEFAULT_EVENT_TIME_BOUNDS; callers pass config.events). */
  bounds?: EventTimeBounds;
  /** Now, epoch ms (default Date.now()). */
  now?: number;
}

/**
 * Validates one raw event; returns the normalised event (timestamps as epoch ms, defaults filled).
 * Its `ts` must lie inside the event-time bounds (core/domain/event-time-bounds.ts).
 * @throws AlmanacError ALMANAC_ERR_INPUT_INVALID with `{path, reason}` issues; `prefix` is prepended to paths.
 */
export function parseEvent(raw: unknown, prefix = '', options: ParseEventOptions = {}): AlmanacEvent {
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !(type in byType)) {
    return parseOrThrow(
      z.object({ type: z.enum(EVENT_TYPES, { error: `must be one of ${EVENT_TYPES.join(', ')}` }) }),
      typeof raw === 'object' && raw !== null ? raw : { type: undefined },
      'event',
      prefix,
    ) as never;
  }
  const event = parseOrThrow(byType[type as EventType], raw, `${type} event`, prefix) as AlmanacEvent;
  const reason = eventTimeViolation(event.ts, options.bounds ?? DEFAULT_EVENT_TIME_BOUNDS, options.now ?? Date.now(), (raw as { ts?: unknown }).ts);
  if (reason !== undefined) {
    const path = prefix === '' ? 'ts' : `${prefix}.ts`;
    throw invalidInput(`invalid ${type} event: ${path}: ${reason}`, [{ path, reason }], { value: (raw as { ts?: unknown }).ts });
  }
  return event;
}

/**
 * The idempotency key of an event: (client_id, event_id). Ids are scoped by tenant, so one
 * client's event_id can never make another client's event a duplicate. Length-prefixed, so no
 * pair of ids can spell another pair.
 */
export function eventIdentity(e: { client_id: string; event_id: string }): string {
  return `${e.client_id.length}:${e.client_id}:${e.event_id}`;
}

/** The partition key of an event: its client, so a client's events stay in order. */
export function eventKey(e: AlmanacEvent): string {
  return e.client_id;
}

export { campaignEventSchema, clientEventSchema, outcomeEventSchema, touchEventSchema };
export type { CampaignEvent, ClientEvent, OutcomeEvent, TouchEvent };
export { DEFAULT_EVENT_TIME_BOUNDS, type EventTimeBounds };
