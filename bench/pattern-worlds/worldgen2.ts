/**
 * worldgen2: a campaign world generator independent of the simulator, for the pattern miner (issue 9).
 * Conversion = Bernoulli(client base rate × the industry's weekly factor × the lift of the pattern the touch
 * matches). Planted: six industry × channel × offer × segment patterns (×2, 4–6 clients of the industry each),
 * decoys (the same channel × offer × segment in another industry, no lift: the interaction is industry-only),
 * one single-client pattern (×5, ≥ 450 touches, a channel × offer nobody else runs), two anti-patterns (×0.4,
 * ≥ 4 clients), noise (×1.5 on 60–160 touches of 1–2 clients), and base-rate confounding: client base rates
 * span 4× and high-base clients favour some channels/offers that have no effect within a client (see the catalogue).
 * Deterministic per seed.
 */
import { CHANNELS, OBJECTIVES } from '../../core/domain/campaign.ts';
import { invalidInput } from '../../core/errors.ts';
import { seededRandom, shuffleInPlace } from '../../core/seeded-random.ts';
import type { TrainingExample } from '../../features/training-set.ts';
import { byTouchTime, columnsOf, conversionRate7d, DAY_MS, matchesConditions, type ConversionTrace, type PatternWorld, type PlantedPattern } from './pattern-world.ts';
import * as K from './worldgen2-catalogue.ts';

export interface Worldgen2Options {
  /** Default 60 (at least 8). */
  clients?: number;
  /** Labelled touches, exactly. Default 200 000 (at least 2 000). */
  touches?: number;
}

type Random = () => number;
type Kind = 'planted' | 'decoy' | 'singleClient' | 'anti' | 'noise';

interface Client { id: string; industry: string; base: number; z: number; region: string; size: number }
interface Campaign {
  index: number; id: string; client: Client; channel: string; objective: string; offer: string; creative: string; budget: number;
  start: number; end: number; segmentWeights: number[]; ageCum: number[]; deviceCum: number[];
  kind?: Kind; rule?: { segment?: string; lift: number }; volume: number; fixedTouches?: number;
}
interface Spec { kind: Kind; id: string; conditions: Record<string, string>; lift: number }

const WORLD_START = Date.UTC(2024, 2, 4);
const CATEGORICAL = [
  'campaign.industry', 'campaign.channel', 'touch.channel', 'campaign.objective', 'campaign.offer', 'campaign.creative',
  'audience.segment', 'audience.age_band', 'audience.device', 'audience.region',
] as const;
const NUMERIC = ['campaign.budget', 'campaign_performance.conversion_rate_7d', 'time.day_of_week'] as const;

/**
 * Generates a worldgen2 world.
 * @throws AlmanacError ALMANAC_ERR_INPUT_INVALID when clients < 8 or touches < 2 000 (or not integers).
 */
export function worldgen2(seed: number, options: Worldgen2Options = {}): PatternWorld {
  const clientCount = options.clients ?? 60;
  const touchCount = options.touches ?? 200_000;
  if (!Number.isInteger(clientCount) || clientCount < 8) throw invalidInput(`worldgen2 needs an integer ≥ 8 clients, got ${clientCount}`, [{ path: 'clients', reason: 'must be an integer ≥ 8' }]);
  if (!Number.isInteger(touchCount) || touchCount < 2000) throw invalidInput(`worldgen2 needs an integer ≥ 2000 touches, got ${touchCount}`, [{ path: 'touches', reason: 'must be an integer ≥ 2000' }]);
  const random = seededRandom((Math.imul(seed >>> 0, 0x9e3779b1) ^ 0x2c1b3c6d) >>> 0);
  const prefix = `w${seed}`;
  const industries = shuffleInPlace<string>([...K.INDUSTRIES], random).slice(0, Math.max(1, Math.min(K.INDUSTRIES.length, Math.floor(clientCount / 7))));
  const clients = Array.from({ length: clientCount }, (_, i): Client => {
    const z = random();
    return {
      id: `${prefix}-cl${pad(i + 1, 3)}`, industry: industries[i % industries.length]!, z,
      base: K.MIN_BASE_RATE * K.BASE_RATE_SPREAD ** z, region: pick(random, K.REGIONS), size: Math.exp(0.5 * normal(random)),
    };
  });
  const specs = drawSpecs(random, industries);
  const globalReserved = new Set(specs.filter((s) => s.conditions.industry === undefined).map((s) => pairOf(s.conditions)));
  const industryReserved = new Set(specs.filter((s) => s.conditions.industry !== undefined).map((s) => `${s.conditions.industry}|${pairOf(s.conditions)}`));
  const campaigns = clients.flatMap((client, ci) =>
    Array.from({ length: K.CAMPAIGNS_PER_CLIENT }, (_, k) => makeCampaign(random, ci * K.CAMPAIGNS_PER_CLIENT + k, client, (ch, off) =>
      globalReserved.has(`${ch}|${off}`) || industryReserved.has(`${client.industry}|${ch}|${off}`))),
  );
  for (const spec of specs) plant(random, spec, clients, campaigns);
  allocateTouches(campaigns, touchCount);
  const weekly = new Map(industries.map((ind) => [ind, { amp: 0.1 + 0.2 * random(), phase: Math.floor(random() * 7) }]));

  const rows: { example: TrainingExample; trace: ConversionTrace }[] = [];
  for (const c of campaigns) {
    const n = c.fixedTouches ?? 0;
    const segmentCum = cumulative(c.segmentWeights);
    const w = weekly.get(c.client.industry)!;
    for (let i = 0; i < n; i++) {
      const ts = c.start + Math.floor(random() * (c.end - c.start));
      const segment = K.SEGMENTS[pickIndex(random, segmentCum)]!;
      const dow = new Date(ts).getUTCDay();
      const lift = c.rule && (c.rule.segment === undefined || c.rule.segment === segment) ? c.rule.lift : 1;
      const p = Math.min(0.95, c.client.base * (1 + w.amp * Math.cos((2 * Math.PI * (dow - w.phase)) / 7)) * lift);
      const label = random() < p ? 1 : 0;
      const conversionTs = label ? ts + Math.min(6.5 * DAY_MS, Math.round(-Math.log(1 - random()) * DAY_MS)) : null;
      const features = {
        'campaign.industry': c.client.industry, 'campaign.channel': c.channel, 'touch.channel': c.channel, 'campaign.objective': c.objective,
        'campaign.offer': c.offer, 'campaign.creative': c.creative, 'audience.segment': segment,
        'audience.age_band': K.AGE_BANDS[pickIndex(random, c.ageCum)]!, 'audience.device': K.DEVICES[pickIndex(random, c.deviceCum)]!,
        'audience.region': random() < 0.5 ? c.client.region : pick(random, K.REGIONS),
        'campaign.budget': c.budget, 'campaign_performance.conversion_rate_7d': null as number | null, 'time.day_of_week': dow,
      };
      rows.push({ example: { touch_id: `${c.id}-t${pad(i + 1, 6)}`, client_id: c.client.id, campaign_id: c.id, ts, label, features }, trace: { campaign: c.index, ts, conversionTs } });
    }
  }
  rows.sort((a, b) => byTouchTime(a.example, b.example));
  const rate7d = conversionRate7d(rows.map((r) => r.trace), WORLD_START, campaigns.length);
  const examples = rows.map((r, i) => {
    r.example.features['campaign_performance.conversion_rate_7d'] = rate7d[i] ?? null;
    return r.example;
  });

  const byCampaign = new Map<string, TrainingExample[]>();
  for (const e of examples) (byCampaign.get(e.campaign_id) ?? byCampaign.set(e.campaign_id, []).get(e.campaign_id))?.push(e);
  const patternsOf = (kind: Kind): PlantedPattern[] => specs.filter((s) => s.kind === kind).map((s) => ({ id: s.id, conditions: s.conditions, clients: runners(byCampaign, s.conditions), lift: s.lift }));
  return {
    generator: 'worldgen2', seed, examples, columns: columnsOf(CATEGORICAL, NUMERIC),
    clients: clients.map((c) => ({ id: c.id, industry: c.industry })),
    planted: patternsOf('planted'), singleClient: patternsOf('singleClient'), anti: patternsOf('anti'), noise: patternsOf('noise'),
    domain: {
      industry: [...industries].sort(), channel: [...CHANNELS], objective: [...OBJECTIVES], offer: [...K.OFFERS], creative: [...K.CREATIVES],
      segment: [...K.SEGMENTS], 'audience.age_band': [...K.AGE_BANDS], 'audience.device': [...K.DEVICES], 'audience.region': [...K.REGIONS],
    },
  };
}

/** Every special combination, each on its own channel × offer pair (so none overlaps another). */
function drawSpecs(random: Random, industries: string[]): Spec[] {
  const pairs = shuffleInPlace(CHANNELS.flatMap((ch) => K.OFFERS.map((off) => [ch, off] as const)), random);
  let next = 0;
  const pair = (): { channel: string; offer: string } => {
    const [channel, offer] = pairs[next++]!;
    return { channel, offer };
  };
  const segment = (): string => pick(random, K.SEGMENTS);
  const specs: Spec[] = [];
  for (let i = 0; i < K.PLANTED_COUNT; i++) {
    const industry = industries[i % industries.length]!;
    const conditions = { industry, ...pair(), segment: segment() };
    specs.push({ kind: 'planted', id: `planted-${i + 1}`, conditions, lift: K.LIFT.planted });
    const other = industries[(i + 1) % industries.length]!;
    if (i % 2 === 0 && other !== industry) specs.push({ kind: 'decoy', id: `decoy-${i + 1}`, conditions: { ...conditions, industry: other }, lift: 1 });
  }
  specs.push({ kind: 'anti', id: 'anti-1', conditions: pair(), lift: K.LIFT.anti });
  specs.push({ kind: 'anti', id: 'anti-2', conditions: { industry: industries[K.PLANTED_COUNT % industries.length]!, ...pair() }, lift: K.LIFT.anti });
  specs.push({ kind: 'singleClient', id: 'single-1', conditions: { ...pair(), segment: segment() }, lift: K.LIFT.singleClient });
  for (let i = 0; i < K.NOISE_COUNT; i++) {
    specs.push({ kind: 'noise', id: `noise-${i + 1}`, conditions: { industry: pick(random, industries), ...pair(), segment: segment() }, lift: K.LIFT.noise });
  }
  return specs;
}

/** Makes the spec run: one free campaign in each of its clients takes its channel × offer and targets its segment. */
function plant(random: Random, spec: Spec, clients: Client[], campaigns: Campaign[]): void {
  const { industry, channel, offer, segment } = spec.conditions;
  const pool = shuffleInPlace(clients.filter((c) => industry === undefined || c.industry === industry), random);
  const wanted = spec.kind === 'planted' ? 4 + Math.floor(random() * 3) : spec.kind === 'anti' ? 5 : spec.kind === 'decoy' || spec.kind === 'noise' ? 1 + Math.floor(random() * 2) : 1;
  let planted = 0;
  for (const client of pool) {
    if (planted === wanted) break;
    const free = campaigns.filter((c) => c.client === client && c.kind === undefined);
    if (free.length === 0) continue;
    const c = free[Math.floor(random() * free.length)]!;
    planted++;
    c.kind = spec.kind;
    c.channel = channel!;
    c.offer = offer!;
    if (spec.kind === 'singleClient') {
      // The single client's industry joins the conditions once the client is known.
      spec.conditions = { industry: client.industry, ...spec.conditions };
    }
    if (spec.lift !== 1) c.rule = segment === undefined ? { lift: spec.lift } : { segment, lift: spec.lift };
    if (segment !== undefined) c.segmentWeights = targeted(c.segmentWeights, K.SEGMENTS.indexOf(segment as (typeof K.SEGMENTS)[number]), K.TARGET_SHARE[spec.kind as keyof typeof K.TARGET_SHARE]);
    if (spec.kind === 'planted' || spec.kind === 'anti') c.volume *= K.PATTERN_VOLUME;
    if (spec.kind === 'singleClient') c.fixedTouches = Math.ceil((K.SINGLE_CLIENT_MIN_TOUCHES / K.TARGET_SHARE.singleClient) * 1.15);
    if (spec.kind === 'noise') c.fixedTouches = K.NOISE_TOUCHES[0] + Math.floor(random() * (K.NOISE_TOUCHES[1] - K.NOISE_TOUCHES[0] + 1));
  }
}

function makeCampaign(random: Random, index: number, client: Client, reserved: (channel: string, offer: string) => boolean): Campaign {
  const weight = (high: boolean, low: boolean): number => Math.exp(K.CONFOUNDING * (high ? client.z : low ? 1 - client.z : 0.5));
  const channelWeights = CHANNELS.map((ch) => weight(K.HIGH_BASE_CHANNELS.includes(ch), K.LOW_BASE_CHANNELS.includes(ch)));
  const offerWeights = K.OFFERS.map((o) => weight(K.HIGH_BASE_OFFERS.includes(o), K.LOW_BASE_OFFERS.includes(o)));
  let channel: string;
  let offer: string;
  do {
    channel = CHANNELS[pickIndex(random, cumulative(channelWeights))]!;
    offer = K.OFFERS[pickIndex(random, cumulative(offerWeights))]!;
  } while (reserved(channel, offer));
  const days = 10 + Math.floor(random() * 31);
  const start = WORLD_START + Math.floor(random() * (K.DAYS - days + 1)) * DAY_MS;
  return {
    index, id: `${client.id}-cp${pad((index % K.CAMPAIGNS_PER_CLIENT) + 1, 2)}`, client, channel, offer,
    objective: pick(random, OBJECTIVES), creative: pick(random, K.CREATIVES),
    budget: Math.round(2000 * client.size * Math.exp(0.6 * normal(random)) * 100) / 100,
    start, end: start + days * DAY_MS,
    segmentWeights: K.SEGMENTS.map(() => Math.exp(0.7 * normal(random))),
    ageCum: cumulative(K.AGE_BANDS.map(() => Math.exp(0.5 * normal(random)))),
    deviceCum: cumulative([0.55 + 0.2 * random(), 0.3 + 0.15 * random(), 0.1]),
    volume: client.size * days,
  };
}

/** Fixed-count campaigns keep theirs; the rest share the remaining touches by volume (largest remainders), so the total is exact. */
function allocateTouches(campaigns: Campaign[], total: number): void {
  const fixed = campaigns.reduce((n, c) => n + (c.fixedTouches ?? 0), 0);
  const open = campaigns.filter((c) => c.fixedTouches === undefined);
  const remaining = Math.max(0, total - fixed);
  const volume = open.reduce((s, c) => s + c.volume, 0);
  const shares = open.map((c) => (remaining * c.volume) / volume);
  open.forEach((c, i) => (c.fixedTouches = Math.floor(shares[i]!)));
  let left = remaining - open.reduce((n, c) => n + c.fixedTouches!, 0);
  const order = open.map((_, i) => i).sort((a, b) => (shares[b]! % 1) - (shares[a]! % 1) || a - b);
  for (let k = 0; left > 0; k++, left--) open[order[k % order.length]!]!.fixedTouches! += 1;
}

/** Segment weights with `share` of the mass on `target` (the others keep their proportions). */
function targeted(weights: number[], target: number, share: number): number[] {
  const rest = weights.reduce((s, w, i) => (i === target ? s : s + w), 0);
  return weights.map((w, i) => (i === target ? share : ((1 - share) * w) / rest));
}

/** Campaign-level condition keys: one value per campaign, so one touch of a campaign answers them for all of its touches. */
const CAMPAIGN_LEVEL: ReadonlySet<string> = new Set(['industry', 'channel', 'objective', 'offer', 'creative']);

/** The clients with at least one touch matching every condition (campaign-level keys tested once per campaign). */
function runners(byCampaign: Map<string, TrainingExample[]>, conditions: Record<string, string>): string[] {
  const entries = Object.entries(conditions);
  const campaignLevel = Object.fromEntries(entries.filter(([k]) => CAMPAIGN_LEVEL.has(k)));
  const touchLevel = Object.fromEntries(entries.filter(([k]) => !CAMPAIGN_LEVEL.has(k)));
  const out = new Set<string>();
  for (const list of byCampaign.values()) {
    if (matchesConditions(list[0]!, campaignLevel) && list.some((e) => matchesConditions(e, touchLevel))) out.add(list[0]!.client_id);
  }
  return [...out].sort();
}

const pairOf = (c: Record<string, string>): string => `${c.channel}|${c.offer}`;

function cumulative(weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  return weights.map((w) => (acc += w / total));
}

function pickIndex(random: Random, cum: readonly number[]): number {
  const r = random();
  for (let i = 0; i < cum.length - 1; i++) if (r < cum[i]!) return i;
  return cum.length - 1;
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
