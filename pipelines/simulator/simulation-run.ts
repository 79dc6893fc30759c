/** One simulation run: the world, its event stream (time order with disorder) and the stats it fills. */
import type { AlmanacEvent } from '../../core/domain/event.ts';
import { buildWorld } from './build-world.ts';
import { withDisorder } from './disorder.ts';
import { orderedEvents } from './ordered-events.ts';
import type { SimulationOptions } from './simulation-options.ts';
import { emptyStats, type SimulationStats } from './simulation-stats.ts';
import type { World } from './world.ts';

export interface SimulationRun {
  world: World;
  /** The events in delivery order; iterate once. */
  events: Generator<AlmanacEvent>;
  /** Filled while `events` is iterated. */
  stats: SimulationStats;
}

/**
 * Starts a synchronous simulation run (the fast path used by the writer).
 * @throws AlmanacError ALMANAC_ERR_INPUT_INVALID for bad options.
 */
export function startSimulation(options: SimulationOptions): SimulationRun {
  const world = buildWorld(options);
  const stats = emptyStats();
  const { seed, outOfOrderRate, duplicateRate, maxLatenessMs } = world.options;
  const events = withDisorder(orderedEvents(world, stats), { seed, outOfOrderRate, duplicateRate, maxLatenessMs }, stats);
  return { world, events, stats };
}
