import type { FeatureView } from '../feature-view.ts';
import { DAY_MS, HOUR_MS, PERFORMANCE_AGGREGATIONS, PERFORMANCE_WINDOWS } from './performance-aggregations.ts';

/** How one campaign performs: touches, clicks, conversions, spend and rates. */
export const campaignPerformance: FeatureView = {
  name: 'campaign_performance',
  version: 1,
  entity: 'campaign',
  entityKey: (e) => (e.type === 'touch' || e.type === 'outcome' ? e.campaign_id : undefined),
  aggregations: PERFORMANCE_AGGREGATIONS,
  windows: PERFORMANCE_WINDOWS,
  ttlMs: 3 * DAY_MS,
  allowedLatenessMs: 2 * HOUR_MS,
  description: 'Per campaign: touches, clicks, conversions, spend, CTR and conversion rate over 1d/7d/28d.',
};
