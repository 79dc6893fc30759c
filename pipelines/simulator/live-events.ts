/**
 * A live continuation of a simulated world: after the world's end, touches of the campaigns still
 * running at the end arrive at `touchesPerSecond` (a Poisson process), each with the outcomes the
 * world's own models give it (clicks within minutes, conversions within days), released when the
 * clock passes their time. Deterministic by seed: the same seed gives the same sequence of
 * campaigns, audiences, gaps and outcome delays; only the timestamps follow `startedAt`.
 *
 * Ids never collide with the history's (`<campaign>-l<startedAt base 36>-<n>`), nor with an
 * earlier live session's (another `startedAt`), so a re-run appends new events, not duplicates.
 */
import type { AlmanacEvent } from '../../core/domain/event.ts';
import { invalidInput } from '../../core/errors.ts';
import { buildWorld } from './build-world.ts';
import { MinHeap } from './min-heap.ts';
import { createRng, type Rng } from './prng.ts';
import { DAY_MS, type SimulationOptions } from './simulation-options.ts';
import { emptyStats } from './simulation-stats.ts';
import { generateTouch } from './touch-generator.ts';
import type { SimCampaign, World } from './world.ts';

export interface LiveEventsOptions {
  /** Epoch ms of the first possible live touch (at or after the world's end). */
  startedAt: number;
  /** Mean touches per second of event time (default 2; outcomes come on top). */
  touchesPerSecond?: number;
}

/** How far past its end the world's outcome models run for live touches (outcomes later than this are never sent). */
const LIVE_HORIZON_MS = 30 * DAY_MS;

export class LiveEvents {
  private readonly rng: Rng;
  private readonly world: World;
  private readonly campaigns: SimCampaign[];
  private readonly weights: number[];
  private readonly pending = new MinHeap<AlmanacEvent>();
  private readonly meanGapMs: number;
  private readonly tag: string;
  private nextTouchAt: number;
  private count = 0;

  /** @throws AlmanacError ALMANAC_ERR_INPUT_INVALID for bad world options or a rate that is not > 0. */
  constructor(simulation: SimulationOptions, options: LiveEventsOptions) {
    const rate = options.touchesPerSecond ?? 2;
    if (!(rate > 0) || !Number.isFinite(rate)) throw invalidInput(`live touches per second must be a positive number, got ${String(rate)}`, [{ path: 'touchesPerSecond', reason: 'must be > 0' }]);
    const world = buildWorld(simulation);
    // outcomes of live touches are censored at the horizon, not at the history's end
    this.world = { ...world, end: world.end + LIVE_HORIZON_MS };
    this.campaigns = runningAtEnd(world);
    this.weights = this.campaigns.map((c) => c.touchRate);
    this.rng = createRng(world.options.seed, 'live');
    this.meanGapMs = 1000 / rate;
    this.tag = `l${Math.floor(options.startedAt).toString(36)}`;
    this.nextTouchAt = Math.max(options.startedAt, world.end) + this.gap();
  }

  /** The campaigns live touches go to (those running on the world's last day). */
  get campaignIds(): string[] {
    return this.campaigns.map((c) => c.campaignId);
  }

  /**
   * Every live event with `ts ≤ now` not returned before, in time order.
   * @param now - epoch ms (the caller's clock)
   */
  due(now: number): AlmanacEvent[] {
    while (this.nextTouchAt <= now) {
      const campaign = this.rng.weighted(this.campaigns, this.weights);
      const ts = Math.floor(this.nextTouchAt);
      const id = `${campaign.campaignId}-${this.tag}-${++this.count}`;
      const { touch, outcomes } = generateTouch(this.world, campaign, ts, this.rng, emptyStats(), id);
      this.pending.push(touch.ts, touch);
      for (const o of outcomes) this.pending.push(o.ts, o);
      this.nextTouchAt += this.gap();
    }
    const out: AlmanacEvent[] = [];
    while (this.pending.size > 0 && this.pending.peekKey() <= now) out.push(this.pending.pop() as AlmanacEvent);
    return out;
  }

  private gap(): number {
    return Math.max(1, this.rng.exponential(this.meanGapMs));
  }
}

/** Campaigns running on the world's last day; the latest-ending ones when none is (a tiny world). */
function runningAtEnd(world: World): SimCampaign[] {
  const running = world.campaigns.filter((c) => c.end >= world.end - DAY_MS && c.start < world.end);
  if (running.length > 0) return running;
  const last = Math.max(...world.campaigns.map((c) => c.end));
  return world.campaigns.filter((c) => c.end === last);
}
