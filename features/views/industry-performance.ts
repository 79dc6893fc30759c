import type { FeatureView } from '../feature-view.ts';
import { DAY_MS, HOUR_MS, PERFORMANCE_AGGREGATIONS, PERFORMANCE_WINDOWS } from './performance-aggregations.ts';

/** Across all clients of an industry (the industry of the touch's campaign). */
export const industryPerformance: FeatureView = {
  name: 'industry_performance',
  version: 1,
  entity: 'industry',
  entityKey: (e, ctx) => (e.type === 'touch' || e.type === 'outcome' ? ctx.campaign(e.campaign_id)?.industry : undefined),
  aggregations: PERFORMANCE_AGGREGATIONS,
  windows: PERFORMANCE_WINDOWS,
  ttlMs: 7 * DAY_MS,
  allowedLatenessMs: 6 * HOUR_MS,
  description: 'Per industry (of the campaign): touches, clicks, conversions, spend, CTR and conversion rate over 1d/7d/28d.',
};
