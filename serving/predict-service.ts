/** POST /v1/predict: a touch of a known campaign, or a plan (mean over its audience touches). */
import type { PlanRequest, TouchRequest } from './schemas/plan-schema.ts';
import type { PredictResponse } from './schemas/predict-schema.ts';
import type { ServingRuntime } from './serving-runtime.ts';
import type { CampaignInput, TouchInput } from './serving-deps.ts';
import { canEncodeRows, touchRecords, touchRows } from './touch-records.ts';

/** The campaign fields of a plan and one touch per audience entry. */
export function planTouches(plan: PlanRequest): { campaign: CampaignInput; touches: TouchInput[] } {
  const campaign: CampaignInput = {
    industry: plan.industry, objective: plan.objective, channel: plan.channel, budget: plan.budget,
    start: plan.start, end: plan.end, attributes: plan.attributes,
  };
  // a planned touch carries the plan's attributes (offer, creative, …) as a real touch carries its campaign's
  const touches = plan.audience.map((audience) => ({ client_id: plan.client_id, ts: plan.start, channel: plan.channel, audience, attributes: plan.attributes }));
  return { campaign, touches };
}

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
    const recordDeps = { store: rt.deps.onlineStore, features: rt.deps.features, guard: rt.guards.onlineStore, metrics: rt.deps.metrics };
    const { scorer } = lease;
    let probs: Float32Array;
    let missing: string[];
    let degraded: string[];
    if (scorer.predictEncoded && canEncodeRows(rt.deps.features)) {
      // hot path: values written straight into the input tensor (same values as the records)
      const encoded = await touchRows(items, recordDeps, scorer.signature, asOf);
      ({ missing, degraded } = encoded);
      probs = await scorer.predictEncoded(encoded.x, encoded.rows);
    } else {
      const built = await touchRecords(items, recordDeps, scorer.signature, asOf);
      ({ missing, degraded } = built);
      probs = await scorer.predict(built.records);
    }
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

export const round = (x: number, digits = 6): number => Math.round(x * 10 ** digits) / 10 ** digits;
