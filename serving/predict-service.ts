/** POST /v1/predict: a touch of a known campaign, or a plan (mean over its audience touches). */
import { planTouches } from './plan-touches.ts';
import { round } from './response-rounding.ts';
import type { PlanRequest, TouchRequest } from './schemas/plan-schema.ts';
import type { PredictResponse } from './schemas/predict-schema.ts';
import type { ServingRuntime } from './serving-runtime.ts';
import type { CampaignInput, TouchInput } from './serving-deps.ts';
import { scoreTouches } from './touch-scores.ts';

export async function predictTouch(rt: ServingRuntime, touch: TouchRequest): Promise<PredictResponse> {
  const campaign = await rt.directory.campaign(touch.client_id, touch.campaign_id);
  const input: TouchInput = {
    client_id: touch.client_id, campaign_id: touch.campaign_id, ts: touch.ts ?? Date.now(),
    audience: touch.audience, attributes: touch.attributes, ...(touch.channel ? { channel: touch.channel } : {}),
  };
  return score(rt, [input], campaign, false, Math.min(Date.now(), input.ts));
}

export async function predictPlan(rt: ServingRuntime, plan: PlanRequest): Promise<PredictResponse> {
  await rt.directory.requireClient(plan.client_id);
  const { campaign, touches } = planTouches(plan);
  return score(rt, touches, campaign, true, Math.min(Date.now(), plan.start));
}

async function score(rt: ServingRuntime, touches: TouchInput[], campaign: CampaignInput, perAudience: boolean, asOf: number): Promise<PredictResponse> {
  const lease = rt.champion.acquire();
  try {
    const items = touches.map((touch) => ({ touch, campaign }));
    const { probabilities: probs, missing, degraded } = await scoreTouches(lease.scorer, items, rt.touchFeatures, asOf);
    let sum = 0;
    for (const p of probs) sum += p;
    const response: PredictResponse = { probability: round(sum / probs.length), model_version: lease.model.version, features_missing: missing };
    if (perAudience) response.audience = touches.map((t, i) => ({ segment: t.audience.segment, probability: round(probs[i] ?? 0) }));
    if (degraded.length > 0) response.degraded = degraded;
    return response;
  } finally {
    lease.release();
  }
}
