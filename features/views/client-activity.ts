import type { FeatureView } from '../feature-view.ts';
import { DAY_MS, HOUR_MS, PERFORMANCE_AGGREGATIONS, PERFORMANCE_WINDOWS } from './performance-aggregations.ts';

/** Everything a client's campaigns did: touches, clicks, conversions, spend and rates. */
export const clientActivity: FeatureView = {
  name: 'client_activity',
  version: 1,
  entity: 'client',
  entityKey: (e) => (e.type === 'touch' || e.type === 'outcome' ? e.client_id : undefined),
  aggregations: PERFORMANCE_AGGREGATIONS,
  windows: PERFORMANCE_WINDOWS,
  ttlMs: 3 * DAY_MS,
  allowedLatenessMs: 2 * HOUR_MS,
  description: 'Per client: touches, clicks, conversions, spend, CTR and conversion rate over 1d/7d/28d.',
};
