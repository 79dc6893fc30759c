/**
 * The aggregations and windows shared by the performance views: counts of touches, clicks and
 * conversions, summed touch cost, and the two rates derived from them; over a tumbling day and
 * sliding 7- and 28-day windows that advance by one day (event time, UTC).
 */
import type { Aggregation, WindowSpec } from '../feature-view.ts';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** One array shared by every performance view, so the engine computes an event's contribution once. */
export const PERFORMANCE_AGGREGATIONS: Aggregation[] = [
  { name: 'touches', kind: 'count', where: (e) => e.type === 'touch' },
  { name: 'clicks', kind: 'count', where: (e) => e.type === 'outcome' && e.kind === 'click' },
  { name: 'conversions', kind: 'count', where: (e) => e.type === 'outcome' && e.kind === 'conversion' },
  { name: 'spend', kind: 'sum', where: (e) => e.type === 'touch', value: (e) => (e.type === 'touch' ? (e.cost ?? 0) : 0) },
  { name: 'ctr', kind: 'ratio', numerator: 'clicks', denominator: 'touches' },
  { name: 'conversion_rate', kind: 'ratio', numerator: 'conversions', denominator: 'touches' },
];

/** 1d tumbling, 7d and 28d sliding by 1d: every window ends on a UTC day boundary. */
export const PERFORMANCE_WINDOWS: WindowSpec[] = [
  { kind: 'tumbling', sizeMs: DAY_MS },
  { kind: 'sliding', sizeMs: 7 * DAY_MS, hopMs: DAY_MS },
  { kind: 'sliding', sizeMs: 28 * DAY_MS, hopMs: DAY_MS },
];
