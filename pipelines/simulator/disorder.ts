/**
 * Realistic delivery disorder over a time-ordered stream, in a bounded reorder buffer:
 * a share of touch/outcome events is held back (delivered after later events, by up to `maxLatenessMs`),
 * and a share of all events is re-sent later as an exact duplicate (same event_id and content).
 * Client and campaign events are never held back, and a touch is never held past its own outcomes.
 */
import type { AlmanacEvent } from '../../core/domain/event.ts';
import { MinHeap } from './min-heap.ts';
import type { Envelope } from './ordered-events.ts';
import { createRng } from './prng.ts';
import { MINUTE_MS } from './simulation-options.ts';
import type { SimulationStats } from './simulation-stats.ts';

export interface DisorderOptions {
  seed: number;
  outOfOrderRate: number;
  duplicateRate: number;
  maxLatenessMs: number;
}

interface Held {
  event: AlmanacEvent;
  duplicate: boolean;
}

export function* withDisorder(events: Iterable<Envelope>, options: DisorderOptions, stats: SimulationStats): Generator<AlmanacEvent> {
  const rng = createRng(options.seed, 'disorder');
  const held = new MinHeap<Held>();
  const lateness = (): number => MINUTE_MS + rng.int(options.maxLatenessMs - MINUTE_MS + 1);
  for (const { event, notAfter } of events) {
    while (held.peekKey() <= event.ts) yield release(held.pop() as Held, stats);
    if (rng.chance(options.duplicateRate)) held.push(event.ts + lateness(), { event, duplicate: true });
    const movable = event.type === 'touch' || event.type === 'outcome';
    if (movable && rng.chance(options.outOfOrderRate)) {
      const emitAt = Math.min(event.ts + lateness(), notAfter - 1);
      if (emitAt > event.ts) {
        held.push(emitAt, { event, duplicate: false });
        stats.outOfOrder++;
        continue;
      }
    }
    stats.byType[event.type]++;
    yield event;
  }
  while (held.size > 0) yield release(held.pop() as Held, stats);
}

function release(h: Held, stats: SimulationStats): AlmanacEvent {
  stats.byType[h.event.type]++;
  if (h.duplicate) stats.duplicates++;
  return h.event;
}
