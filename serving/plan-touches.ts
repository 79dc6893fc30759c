/** A campaign plan as the feature code takes it: the plan's campaign fields and one touch per audience entry. */
import type { PlanRequest } from './schemas/plan-schema.ts';
import type { CampaignInput, TouchInput } from './serving-deps.ts';

/** The campaign fields of a plan and one touch per audience entry (at the plan's start). */
export function planTouches(plan: PlanRequest): { campaign: CampaignInput; touches: TouchInput[] } {
  const campaign: CampaignInput = {
    industry: plan.industry, objective: plan.objective, channel: plan.channel, budget: plan.budget,
    start: plan.start, end: plan.end, attributes: plan.attributes,
  };
  // a planned touch carries the plan's attributes (offer, creative, …) as a real touch carries its campaign's
  const touches = plan.audience.map((audience) => ({ client_id: plan.client_id, ts: plan.start, channel: plan.channel, audience, attributes: plan.attributes }));
  return { campaign, touches };
}
