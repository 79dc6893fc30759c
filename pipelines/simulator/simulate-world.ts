/**
 * The world simulator: a deterministic (per seed), streaming source of realistic Almanac events with
 * planted success patterns, late outcomes, mild disorder and duplicates.
 */
import type { AlmanacEvent } from '../../core/domain/event.ts';
import type { SimulationOptions } from './simulation-options.ts';
import { startSimulation } from './simulation-run.ts';

export { writeSimulation, type SimulationResult, type WriteSimulationOptions } from './write-simulation.ts';
export { DEMO_WORLD, TINY_WORLD, type SimulationOptions } from './simulation-options.ts';
export { startSimulation, type SimulationRun } from './simulation-run.ts';
export type { GroundTruth, GroundTruthPattern } from './ground-truth.ts';

/**
 * Streams the simulated world's events in delivery order (time order with bounded disorder and duplicates).
 * Deterministic: the same options yield the same events. Memory stays bounded by the pending outcomes and
 * the reorder buffer, whatever the number of events.
 * @throws AlmanacError ALMANAC_ERR_INPUT_INVALID for bad options (on the first `next()`).
 */
export async function* simulateWorld(options: SimulationOptions): AsyncGenerator<AlmanacEvent> {
  const { events } = startSimulation(options);
  let n = 0;
  for (const event of events) {
    yield event;
    // Let other work run now and then on long simulations.
    if (++n % 10_000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
