import type { FeatureView } from '../feature-view.ts';
import { DAY_MS, HOUR_MS, PERFORMANCE_AGGREGATIONS, PERFORMANCE_WINDOWS } from './performance-aggregations.ts';

/** Per audience segment; an outcome reaches its segment through the touch it belongs to. */
export const segmentPerformance: FeatureView = {
  name: 'segment_performance',
  version: 1,
  entity: 'segment',
  entityKey: (e, ctx) => {
    if (e.type === 'touch') return e.audience.segment;
    if (e.type === 'outcome') return ctx.touch(e.touch_id)?.segment;
    return undefined;
  },
  aggregations: PERFORMANCE_AGGREGATIONS,
  windows: PERFORMANCE_WINDOWS,
  ttlMs: 7 * DAY_MS,
  allowedLatenessMs: 6 * HOUR_MS,
  description: 'Per audience segment: touches, clicks, conversions, spend, CTR and conversion rate over 1d/7d/28d.',
};
