/** The registry of declared feature views: one definition, executed by the stream and batch jobs. */
import { invalidInput } from '../../core/errors.ts';
import type { FeatureView } from '../feature-view.ts';
import { campaignPerformance } from './campaign-performance.ts';
import { channelPerformance } from './channel-performance.ts';
import { clientActivity } from './client-activity.ts';
import { industryChannelPerformance } from './industry-channel-performance.ts';
import { industryPerformance } from './industry-performance.ts';
import { segmentPerformance } from './segment-performance.ts';

export const FEATURE_VIEWS: readonly FeatureView[] = [
  clientActivity,
  campaignPerformance,
  industryPerformance,
  channelPerformance,
  segmentPerformance,
  industryChannelPerformance,
];

/** Online-store views that are profiles (latest record), not windowed aggregates. */
export const CAMPAIGN_PROFILE_VIEW = 'campaign_profile';
export const CLIENT_PROFILE_VIEW = 'client_profile';

/** @throws ALMANAC_ERR_INPUT_INVALID naming the valid views. */
export function featureView(name: string): FeatureView {
  const view = FEATURE_VIEWS.find((v) => v.name === name);
  if (!view) {
    throw invalidInput(`unknown feature view '${name}'; valid: ${FEATURE_VIEWS.map((v) => v.name).join(', ')}`, [{ path: 'view', reason: 'unknown' }]);
  }
  return view;
}

/** TTL (ms) per view name, as the online store's `write` takes it. */
export function viewTtls(views: readonly FeatureView[] = FEATURE_VIEWS): Record<string, number> {
  return Object.fromEntries(views.map((v) => [v.name, v.ttlMs]));
}
