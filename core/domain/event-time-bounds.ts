/**
 * The window of event times Almanac accepts: not before a floor, not more than a skew ahead of
 * now. Checked at the edge (parseEvent: `almanac ingest` and `POST /v1/events`), because one
 * event from year 9999 would move its partition's watermark there and every later event of that
 * partition would be dropped as late. Configured as `events.*` (core/config.ts).
 */

export interface EventTimeBounds {
  /** How far (ms) an event's `ts` may be ahead of now. */
  maxFutureSkewMs: number;
  /** Earliest accepted `ts`, epoch ms. */
  minTimestamp: number;
}

/** The only defaults: 1 day of clock skew, nothing before 2000-01-01T00:00:00Z. */
export const DEFAULT_EVENT_TIME_BOUNDS: Readonly<EventTimeBounds> = Object.freeze({
  maxFutureSkewMs: 86_400_000,
  minTimestamp: Date.UTC(2000, 0, 1),
});

/** ISO form of epoch ms, or the number itself when it has no date. */
function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/**
 * Why `ts` (epoch ms) is outside the bounds at `now`, or undefined when it is inside.
 * The reason names the value (`given`, the raw input, when it was epoch ms) and both bounds.
 */
export function eventTimeViolation(ts: number, bounds: EventTimeBounds, now: number, given?: unknown): string | undefined {
  const latest = now + bounds.maxFutureSkewMs;
  if (ts >= bounds.minTimestamp && ts <= latest) return undefined; // (the reason's dates are formatted only for a violation)
  const value = typeof given === 'number' ? `${given} (${iso(ts)})` : iso(ts);
  const window = `accepted: ${iso(bounds.minTimestamp)} .. ${iso(latest)} (events.minTimestamp .. now + events.maxFutureSkewMs ${bounds.maxFutureSkewMs} ms)`;
  if (ts < bounds.minTimestamp) return `${value} is before the earliest accepted event time; ${window}`;
  if (ts > latest) return `${value} is more than ${bounds.maxFutureSkewMs} ms ahead of now (${iso(now)}); ${window}`;
  return undefined;
}
