/**
 * The validation of one POST /v1/events batch, event by event and piece by piece: the body reader
 * (serving/events-body.ts) hands it each run of events as it is parsed, so checking a big batch
 * never holds up other requests, and stops once the batch has `maxReasons` reasons (the rest is
 * neither parsed nor checked: the batch is refused whole).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { parseEvent, type AlmanacEvent } from '../core/domain/event.ts';
import { invalidInput, isAlmanacError, type FieldIssue } from '../core/errors.ts';
import type { EventsResponse } from './schemas/events-schema.ts';

/** Validation gives the event loop back after this long (ms), so a big batch never holds up other requests for more. */
const SLICE_MS = 2;

export type Rejection = EventsResponse['rejected'][number];

export interface CheckedEvents {
  valid: AlmanacEvent[];
  /** The batch index of each valid event. */
  validIndex: number[];
  rejected: Rejection[];
}

type EventTime = NonNullable<Parameters<typeof parseEvent>[2]>;

export class EventBatchCheck {
  private readonly checked: CheckedEvents = { valid: [], validIndex: [], rejected: [] };
  private badEvents = 0;
  /** Events checked so far (the next one's batch index). */
  private seen = 0;
  /** Set once the batch reached `maxReasons`: events checked by then. */
  private stoppedAfter: number | undefined;

  constructor(private readonly time: EventTime, private readonly maxReasons: number) {}

  /** The batch has `maxReasons` reasons: it will be refused, later events need not be parsed. */
  get full(): boolean { return this.stoppedAfter !== undefined; }

  /**
   * Checks the batch's next events (they follow the ones added before), giving the event loop back
   * every SLICE_MS. Once the batch has `maxReasons` reasons it stops; later calls do nothing.
   */
  async add(events: readonly unknown[]): Promise<void> {
    const { valid, validIndex, rejected } = this.checked;
    let sliceStart = performance.now();
    for (let i = 0; i < events.length && this.stoppedAfter === undefined; i++) {
      if ((i & 31) === 31 && performance.now() - sliceStart > SLICE_MS) {
        await yieldToLoop();
        sliceStart = performance.now();
      }
      const index = this.seen++;
      try {
        valid.push(parseEvent(events[i], `events.${index}`, this.time));
        validIndex.push(index);
      } catch (e) {
        if (!isAlmanacError(e)) throw e;
        this.badEvents++;
        const issues = (e.details.issues as FieldIssue[] | undefined) ?? [{ path: `events.${index}`, reason: e.message }];
        for (const issue of issues) {
          rejected.push({ index, path: issue.path, reason: issue.reason });
          if (rejected.length >= this.maxReasons) {
            this.stoppedAfter = index + 1;
            break;
          }
        }
      }
    }
  }

  /**
   * What the batch of `total` events came to.
   * @throws ALMANAC_ERR_INPUT_INVALID (400) when it has `maxReasons` reasons or more: the first ones, and how many events were not checked
   */
  finish(total: number): CheckedEvents {
    if (this.stoppedAfter !== undefined) throw tooManyReasons(this.checked.rejected, this.badEvents, this.stoppedAfter, total);
    return this.checked;
  }
}

/**
 * Validates each event of a parsed batch on its own (an EventBatchCheck over all of them).
 * @throws ALMANAC_ERR_INPUT_INVALID (400) when the batch has `maxReasons` reasons or more
 */
export async function validateEvents(events: readonly unknown[], time: EventTime, maxReasons: number): Promise<CheckedEvents> {
  const check = new EventBatchCheck(time, maxReasons);
  await check.add(events);
  return check.finish(events.length);
}

function tooManyReasons(rejected: Rejection[], badEvents: number, checked: number, total: number): Error {
  const unchecked = total - checked;
  const first = rejected[0] as Rejection;
  const message = `invalid events batch: ${rejected.length} reasons in ${badEvents} of the first ${checked} events (first: ${first.path}: ${first.reason}); `
    + `validation stopped there${unchecked > 0 ? `, ${unchecked} more events were not checked` : ''}; nothing was written — fix these and send the batch again`;
  const issues = rejected.map((r) => ({ path: r.path, reason: r.reason }));
  return invalidInput(message, issues, { invalid_events: badEvents, checked_events: checked, unchecked_events: unchecked });
}
