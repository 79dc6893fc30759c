import type { FeatureView } from '../feature-view.ts';
import { eventChannel } from './channel-performance.ts';
import { DAY_MS, HOUR_MS, PERFORMANCE_AGGREGATIONS, PERFORMANCE_WINDOWS } from './performance-aggregations.ts';

/** Entity key of the industry × channel view: `<industry>|<channel>`. */
export function industryChannelKey(industry: string, channel: string): string {
  return `${industry}|${channel}`;
}

/** Per industry × channel pair (e.g. 'retail|email'). */
export const industryChannelPerformance: FeatureView = {
  name: 'industry_channel_performance',
  version: 1,
  entity: 'industry_channel',
  entityKey: (e, ctx) => {
    if (e.type !== 'touch' && e.type !== 'outcome') return undefined;
    const industry = ctx.campaign(e.campaign_id)?.industry;
    const channel = eventChannel(e, ctx);
    return industry === undefined || channel === undefined ? undefined : industryChannelKey(industry, channel);
  },
  aggregations: PERFORMANCE_AGGREGATIONS,
  windows: PERFORMANCE_WINDOWS,
  ttlMs: 7 * DAY_MS,
  allowedLatenessMs: 6 * HOUR_MS,
  description: 'Per industry × channel: touches, clicks, conversions, spend, CTR and conversion rate over 1d/7d/28d.',
};
