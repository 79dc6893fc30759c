/** Builds the simulated world (clients, campaigns, planted patterns) deterministically from the options. */
import { CHANNELS, OBJECTIVES } from '../../core/domain/campaign.ts';
import { createRng, type Rng } from './prng.ts';
import { drawPatterns, plantPatterns, shuffled } from './planted-patterns.ts';
import { DAY_MS, MINUTE_MS, resolveSimulationOptions, type SimulationOptions } from './simulation-options.ts';
import type { SimCampaign, SimClient, World } from './world.ts';
import {
  CLIENT_NAME_PARTS, COST_PER_TOUCH, CREATIVES, INDUSTRIES, LANGUAGES, OFFERS, REGIONS, SEGMENTS, type Industry,
} from './world-catalogue.ts';

/** Share of campaigns that get one mid-flight update (a new campaign event raising the budget). */
const UPDATE_SHARE = 0.1;

export function buildWorld(input: SimulationOptions): World {
  const options = resolveSimulationOptions(input);
  const rng = createRng(options.seed, 'world');
  const idPrefix = `s${options.seed}`;
  const industryCount = Math.min(INDUSTRIES.length, Math.max(1, Math.floor(options.clients / options.clientsPerIndustry)));
  const industries = shuffled(rng, INDUSTRIES).slice(0, industryCount);
  const clients = Array.from({ length: options.clients }, (_, i) => makeClient(rng, i, industries[i % industryCount] as Industry, idPrefix));
  const start = options.start;
  const end = start + options.days * DAY_MS;
  const campaigns = Array.from({ length: options.campaigns }, (_, i) =>
    makeCampaign(rng, i, clients[i % clients.length] as SimClient, { start, days: options.days, touchesPerDay: options.touchesPerDay, idPrefix }),
  );
  const patterns = drawPatterns(rng, industries);
  plantPatterns(rng, patterns, campaigns);
  for (const c of campaigns) if (rng.chance(UPDATE_SHARE)) c.update = budgetUpdate(rng, c);
  return { options, start, end, clients, campaigns, patterns, trend: round(rng.between(0.1, 0.25), 3), idPrefix };
}

function makeClient(rng: Rng, index: number, industry: Industry, idPrefix: string): SimClient {
  const name = `${rng.pick(CLIENT_NAME_PARTS.first)}${rng.pick(CLIENT_NAME_PARTS.second)} ${industry[0]?.toUpperCase()}${industry.slice(1)}`;
  return {
    index,
    clientId: `${idPrefix}-cl${pad(index + 1, 3)}`,
    name,
    industry,
    region: rng.pick(REGIONS),
    baseRate: round(rng.between(0.01, 0.03), 4),
  };
}

interface CampaignContext {
  start: number;
  days: number;
  touchesPerDay: number;
  idPrefix: string;
}

function makeCampaign(rng: Rng, index: number, client: SimClient, ctx: CampaignContext): SimCampaign {
  const duration = Math.min(ctx.days, 7 + rng.int(39));
  const startDay = rng.int(ctx.days - duration + 1);
  const start = ctx.start + startDay * DAY_MS;
  const lead = Math.floor(rng.between(0, 3 * DAY_MS) / MINUTE_MS) * MINUTE_MS;
  const channel = rng.pick(CHANNELS);
  const touchRate = ctx.touchesPerDay * Math.exp(0.4 * rng.normal() - 0.08);
  const segments = shuffled(rng, SEGMENTS);
  return {
    index,
    campaignId: `${ctx.idPrefix}-cp${pad(index + 1, 4)}`,
    client,
    objective: rng.pick(OBJECTIVES),
    channel,
    offer: rng.pick(OFFERS),
    creative: rng.pick(CREATIVES),
    language: rng.pick(LANGUAGES),
    budget: round(touchRate * duration * Math.max(COST_PER_TOUCH[channel], 0.05) * rng.between(1.1, 1.6), 2),
    createdAt: Math.max(ctx.start, start - lead),
    start,
    end: start + duration * DAY_MS - 1,
    segments,
    segmentWeights: segments.map((_, i) => (i === 0 ? 3 : i === 1 ? 1.5 : 0.3)),
    touchRate,
    quality: Math.exp(0.2 * rng.normal() - 0.02),
    touches: 0,
  };
}

function budgetUpdate(rng: Rng, c: SimCampaign): { at: number; budget: number } {
  const at = c.start + Math.floor((rng.between(0.2, 0.8) * (c.end - c.start)) / MINUTE_MS) * MINUTE_MS;
  return { at, budget: round(c.budget * rng.between(1.1, 1.5), 2) };
}

export function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
