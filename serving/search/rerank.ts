/**
 * Stage 2 of pattern search: a plan whose configuration IS a proven pattern gets that pattern
 * first, then the patterns it falls under (its generalisations), then neighbours. The score a
 * planner can read, each part in [0, 1]:
 *   fit        — Ochiai overlap of the pattern's conditions with the plan's (1 = the same configuration);
 *   lift       — the lower 95% bound of the pattern's within-client lift, on a log scale against the best candidate;
 *   similarity — the ANN cosine of the configuration vectors (learned: similar conditions are close);
 *   evidence   — distinct clients that proved it in the plan's industry (graph), against k;
 *   model      — the model's probability for the plan moved to the pattern's configuration;
 * times business rules (small samples, wide intervals, a pattern proven only in another industry).
 * The patterns the plan falls under (every condition holds) come first, the most specific first
 * (the miner keeps a specialisation only when it beats its generalisations), cross-client and
 * better-evidenced descriptions (the larger z of the lift) before others of the same specificity, then the neighbours by
 * score, diversified (MMR over the configuration vectors, or at most ⌈N/2⌉ per channel without them).
 */
import type { PatternEvidence } from '../../embeddings/graph-store/graph-store.ts';
import { conditionsKey } from '../../embeddings/patterns/configuration.ts';
import { conditionOverlap, cosine, keyCount } from '../../embeddings/patterns/configuration-encoder.ts';
import { Z95 } from '../../embeddings/patterns/rate-ratio.ts';
import { round } from '../response-rounding.ts';
import type { ScoreComponents } from '../schemas/search-schema.ts';
import type { PatternCandidate } from './pattern-candidate.ts';

export const WEIGHTS = { fit: 0.45, lift: 0.2, similarity: 0.1, evidence: 0.15, model: 0.1 } as const;
/** Below this many touches a pattern's rate is not trusted (rules component halves). */
export const MIN_BUSINESS_SAMPLE = 100;
/** A 95% interval of the success rate wider than this is penalised. */
export const MAX_CI_WIDTH = 0.15;
/** A pattern without an industry condition is not penalised when seen in at least this many industries. */
export const MANY_INDUSTRIES = 3;
const MMR_LAMBDA = 0.8;

export interface RerankInput {
  candidates: PatternCandidate[];
  /** The plan's configuration per audience entry (condition key → value). */
  plan: Record<string, string>[];
  industry: string;
  minClients: number;
  topN: number;
  /** Model probability of the plan adapted to each pattern (absent = model component unavailable). */
  modelProbability?: Map<string, number>;
  /** Graph evidence per pattern (absent = graph unavailable). */
  evidence?: Map<string, PatternEvidence>;
}

export interface RankedPattern {
  candidate: PatternCandidate;
  score: number;
  components: ScoreComponents;
  /** 'applies': every condition of the pattern holds for the plan; 'neighbour': some differ. */
  match: 'applies' | 'neighbour';
  /** Conditions of the pattern the plan shares. */
  shared: number;
  modelProbability: number | null;
  provenInIndustryBy: number | null;
  /** The plan client's own figures for the same configuration, when its private pattern was merged into this one. */
  own: PatternCandidate | null;
}

export function rerank(input: RerankInput): RankedPattern[] {
  const maxModel = Math.max(1e-9, ...(input.modelProbability ? [...input.modelProbability.values()] : [0]));
  const maxLogLift = Math.max(Math.log(1.05), ...input.candidates.map((c) => Math.log(Math.max(1, c.lift_low))));
  const planSizes = input.plan.map(keyCount);
  const evidenceWeight = input.evidence ? WEIGHTS.evidence : 0;
  const withModel = { ...WEIGHTS, evidence: evidenceWeight };
  const withoutModel = { ...WEIGHTS, model: 0, evidence: evidenceWeight };
  const scored = input.candidates.map((c): RankedPattern => {
    const p = input.modelProbability?.get(c.id);
    const ev = input.evidence?.get(c.id);
    const fit = bestFit(c.conditions, input.plan, planSizes);
    const components: ScoreComponents = {
      fit: fit.overlap,
      lift: clamp01(Math.log(Math.max(1, c.lift_low)) / maxLogLift),
      similarity: clamp01(c.similarity),
      model: p === undefined ? 0 : clamp01(p / maxModel),
      evidence: input.evidence ? evidenceScore(ev, input.minClients) : 0,
      rules: rulesFactor(c, input.industry, ev),
    };
    const w = p === undefined ? withoutModel : withModel;
    const total = w.fit + w.lift + w.similarity + w.model + w.evidence;
    const base = (w.fit * components.fit + w.lift * components.lift + w.similarity * components.similarity + w.model * components.model + w.evidence * components.evidence) / total;
    return {
      candidate: c, score: round4(components.rules * base), components: roundAll(components),
      match: fit.contained ? 'applies' : 'neighbour', shared: fit.shared,
      modelProbability: p ?? null, provenInIndustryBy: ev ? ev.clientsInIndustry : null, own: null,
    };
  });
  scored.sort(byTier);
  const merged = mergeTwins(scored);
  // the patterns the plan falls under lead, most specific first; the neighbours are diversified after them
  const applies = merged.filter((r) => r.match === 'applies');
  return [...applies, ...diversify(merged.filter((r) => r.match !== 'applies'), input.topN)].slice(0, input.topN);
}

/**
 * Patterns that apply to the plan first, the more specific (more conditions) first; among equally
 * specific ones (two descriptions of much the same campaigns, e.g. the configuration and a slice of
 * it by one incidental attribute), cross-client evidence before a client's own, then the stronger
 * evidence of a lift first (evidenceZ: a sharper slice of the same touches has fewer of them and a
 * wider interval, so it ranks after the description the data back best); then by score.
 */
const tierOf = (r: RankedPattern): number => (r.match === 'applies' ? 100 + keyCount(r.candidate.conditions) : 0);
const scopeOf = (r: RankedPattern): number => (r.candidate.tenant === 'global' ? 1 : 0);

function byTier(a: RankedPattern, b: RankedPattern): number {
  const t = tierOf(b) - tierOf(a);
  if (t !== 0) return t;
  if (a.match === 'applies') {
    const s = scopeOf(b) - scopeOf(a) || evidenceZ(b.candidate) - evidenceZ(a.candidate) || b.candidate.distinct_clients - a.candidate.distinct_clients;
    if (s !== 0) return s;
  }
  return b.score - a.score || a.candidate.id.localeCompare(b.candidate.id);
}

/**
 * The z of a pattern's within-client lift, ln(lift) / se, the standard error read off its 95%
 * interval (ln(high / low) / 2·1.96): the miner's own test statistic, so ordering by it orders by
 * p-value. 0 without a usable interval. The inverse of ratioBounds at the same Z95.
 */
export function evidenceZ(c: Pick<PatternCandidate, 'lift' | 'lift_low' | 'lift_high'>): number {
  if (!(c.lift > 0 && c.lift_low > 0 && c.lift_high > c.lift_low)) return 0;
  return Math.log(c.lift) / (Math.log(c.lift_high / c.lift_low) / (2 * Z95));
}

/** The best overlap of a pattern with any of the plan's configurations. */
function bestFit(conditions: Record<string, string>, plan: Record<string, string>[], planSizes: number[]): { overlap: number; contained: boolean; shared: number } {
  let best = { overlap: 0, contained: false, shared: 0 };
  for (let i = 0; i < plan.length; i++) {
    const o = conditionOverlap(conditions, plan[i]!, planSizes[i]);
    if (o.overlap > best.overlap || (o.contained && !best.contained)) best = o;
  }
  return best;
}

/** A client's own pattern and a cross-client one with the same conditions: one result, the better scored, with the own figures beside it. */
function mergeTwins(sorted: RankedPattern[]): RankedPattern[] {
  const byConditions = new Map<string, RankedPattern>();
  const out: RankedPattern[] = [];
  for (const r of sorted) {
    const key = conditionsKey(r.candidate.conditions);
    const first = byConditions.get(key);
    if (first === undefined) {
      byConditions.set(key, r);
      out.push(r);
      continue;
    }
    if (first.candidate.tenant === 'global' && r.candidate.tenant !== 'global') first.own = r.candidate;
  }
  return out;
}

function evidenceScore(ev: PatternEvidence | undefined, minClients: number): number {
  if (!ev) return 0;
  const inIndustry = Math.min(1, ev.clientsInIndustry / minClients);
  const overall = Math.min(1, ev.clients / (2 * minClients));
  return 0.7 * inIndustry + 0.3 * overall;
}

/** 1 = no rule fired; each rule multiplies a penalty in. */
function rulesFactor(c: PatternCandidate, industry: string, ev: PatternEvidence | undefined): number {
  let factor = 1;
  if (c.touches < MIN_BUSINESS_SAMPLE) factor *= 0.5;
  if (c.ci_high - c.ci_low > MAX_CI_WIDTH) factor *= 0.8;
  const own = c.conditions.industry;
  if (own !== undefined) {
    if (own !== industry) factor *= 0.5;
  } else {
    const industries = ev?.industries.length ? ev.industries : c.industries;
    if (!industries.includes(industry) && industries.length < MANY_INDUSTRIES) factor *= 0.7;
  }
  return factor;
}

/** MMR when every candidate has a centroid; otherwise at most ⌈N/2⌉ per dominant channel. */
function diversify(sorted: RankedPattern[], topN: number): RankedPattern[] {
  if (sorted.length <= 1) return sorted.slice(0, topN);
  if (sorted.every((r) => r.candidate.centroid && r.candidate.centroid.length > 0)) return mmr(sorted, topN);
  const cap = Math.max(1, Math.ceil(topN / 2));
  const perChannel = new Map<string, number>();
  const picked: RankedPattern[] = [];
  const overflow: RankedPattern[] = [];
  for (const r of sorted) {
    const ch = r.candidate.channels[0] ?? '';
    const n = perChannel.get(ch) ?? 0;
    if (n < cap) { picked.push(r); perChannel.set(ch, n + 1); } else overflow.push(r);
    if (picked.length === topN) return picked;
  }
  return [...picked, ...overflow].slice(0, topN);
}

/**
 * Maximal marginal relevance: each pick maximises λ·score − (1−λ)·(its highest cosine to a pattern
 * already picked, at least 0); the first of equal values wins. The highest cosine of each pattern
 * left is kept and raised by each pick (one cosine per pattern left per pick).
 */
function mmr(sorted: RankedPattern[], topN: number): RankedPattern[] {
  const picked: RankedPattern[] = [];
  const rest = [...sorted];
  const redundancy = new Float64Array(rest.length); // starts at 0: the max with 0 of no cosines
  while (picked.length < topN && rest.length > 0) {
    let bestIdx = 0;
    let best = -Infinity;
    for (let i = 0; i < rest.length; i++) {
      const value = MMR_LAMBDA * (rest[i] as RankedPattern).score - (1 - MMR_LAMBDA) * (redundancy[i] as number);
      if (value > best) { best = value; bestIdx = i; }
    }
    const pick = rest[bestIdx] as RankedPattern;
    picked.push(pick);
    rest.splice(bestIdx, 1);
    redundancy.copyWithin(bestIdx, bestIdx + 1);
    const centroid = pick.candidate.centroid as number[];
    for (let i = 0; i < rest.length; i++) {
      const c = cosine((rest[i] as RankedPattern).candidate.centroid as number[], centroid);
      if (c > (redundancy[i] as number)) redundancy[i] = c;
    }
  }
  return picked;
}

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
const round4 = (x: number): number => round(x, 4);
const roundAll = (c: ScoreComponents): ScoreComponents => ({
  fit: round4(c.fit), lift: round4(c.lift), similarity: round4(c.similarity), model: round4(c.model), evidence: round4(c.evidence), rules: round4(c.rules),
});
