/** What a simulation run produced, for the summary line and ground-truth.json. */
import type { EventType } from '../../core/domain/event.ts';

export interface RateCount {
  /** Touches whose attribution window closed before the end of the simulated period. */
  touches: number;
  /** Of those, touches converted within the attribution window. */
  conversions: number;
}

export interface SimulationStats {
  /** Events emitted by type, duplicates included. */
  byType: Record<EventType, number>;
  /** Exact re-sends of an earlier event. */
  duplicates: number;
  /** Events delivered after later-stamped events (held back by up to maxLatenessMs). */
  outOfOrder: number;
  /** Conversions arriving after the attribution window (they must not count). */
  lateConversions: number;
  /** Outcomes that would happen after the simulated period (not emitted: not observed yet). */
  censoredOutcomes: number;
  /** Observed rates per planted pattern id, and for all other touches ('base'). */
  observed: Record<string, RateCount>;
}

export function emptyStats(): SimulationStats {
  return {
    byType: { client: 0, campaign: 0, touch: 0, outcome: 0 },
    duplicates: 0,
    outOfOrder: 0,
    lateConversions: 0,
    censoredOutcomes: 0,
    observed: { base: { touches: 0, conversions: 0 } },
  };
}
