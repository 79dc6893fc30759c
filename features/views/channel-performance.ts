import type { AlmanacEvent } from '../../core/domain/event.ts';
import type { EntityContext, FeatureView } from '../feature-view.ts';
import { DAY_MS, HOUR_MS, PERFORMANCE_AGGREGATIONS, PERFORMANCE_WINDOWS } from './performance-aggregations.ts';

/** The channel an event happened on: the touch's own channel, else its campaign's. */
export function eventChannel(e: AlmanacEvent, ctx: EntityContext): string | undefined {
  if (e.type === 'touch') return e.channel ?? ctx.campaign(e.campaign_id)?.channel;
  if (e.type === 'outcome') return ctx.touch(e.touch_id)?.channel ?? ctx.campaign(e.campaign_id)?.channel;
  return undefined;
}

/** Across all clients, per channel (email, display, …). */
export const channelPerformance: FeatureView = {
  name: 'channel_performance',
  version: 1,
  entity: 'channel',
  entityKey: eventChannel,
  aggregations: PERFORMANCE_AGGREGATIONS,
  windows: PERFORMANCE_WINDOWS,
  ttlMs: 7 * DAY_MS,
  allowedLatenessMs: 6 * HOUR_MS,
  description: 'Per channel (the touch channel, else the campaign channel): touches, clicks, conversions, spend and rates over 1d/7d/28d.',
};
