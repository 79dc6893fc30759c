/**
 * Stage 2 of pattern search: score each candidate by similarity, the model's score of the plan
 * adapted to the pattern's dominant configuration, the lower bound of its success rate, graph
 * evidence (proven in the plan's industry, by how many distinct clients) and business rules;
 * then pick a diverse top N (MMR over centroids, or at most ⌈N/2⌉ per channel without them).
 */
import type { PatternEvidence } from '../../embeddings/graph-store/graph-store.ts';
import { round } from '../response-rounding.ts';
import type { ScoreComponents } from '../schemas/search-schema.ts';
import { cosine, type PatternCandidate } from './pattern-candidate.ts';

export const WEIGHTS = { similarity: 0.35, model: 0.25, success: 0.2, evidence: 0.2 } as const;
/** Below this many touches a pattern's rate is not trusted (rules component halves). */
export const MIN_BUSINESS_SAMPLE = 100;
/** A 95% interval wider than this is penalised. */
export const MAX_CI_WIDTH = 0.15;
/** A pattern from other industries is not penalised when seen in at least this many industries. */
export const MANY_INDUSTRIES = 3;
const MMR_LAMBDA = 0.8;

export interface RerankInput {
  candidates: PatternCandidate[];
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
  modelProbability: number | null;
  provenInIndustryBy: number | null;
}

export function rerank(input: RerankInput): RankedPattern[] {
  const maxModel = Math.max(1e-9, ...(input.modelProbability ? [...input.modelProbability.values()] : [0]));
  const maxLow = Math.max(1e-9, ...input.candidates.map((c) => c.ci_low));
  const scored = input.candidates.map((c) => {
    const p = input.modelProbability?.get(c.id);
    const ev = input.evidence?.get(c.id);
    const components: ScoreComponents = {
      similarity: clamp01(c.similarity),
      model: p === undefined ? 0 : clamp01(p / maxModel),
      success: clamp01(c.ci_low / maxLow),
      evidence: input.evidence ? evidenceScore(ev, input.minClients) : 0,
      rules: rulesFactor(c, input.industry, ev),
    };
    const w = { ...WEIGHTS, model: p === undefined ? 0 : WEIGHTS.model, evidence: input.evidence ? WEIGHTS.evidence : 0 };
    const total = w.similarity + w.model + w.success + w.evidence;
    const base = (w.similarity * components.similarity + w.model * components.model + w.success * components.success + w.evidence * components.evidence) / total;
    return {
      candidate: c, score: round4(components.rules * base), components: roundAll(components),
      modelProbability: p ?? null, provenInIndustryBy: ev ? ev.clientsInIndustry : null,
    };
  });
  scored.sort((a, b) => b.score - a.score || a.candidate.id.localeCompare(b.candidate.id));
  return diversify(scored, input.topN);
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
  const industries = ev?.industries.length ? ev.industries : c.industries;
  const inIndustry = industries.includes(industry);
  if (!inIndustry && industries.length < MANY_INDUSTRIES) factor *= 0.7;
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

function mmr(sorted: RankedPattern[], topN: number): RankedPattern[] {
  const picked: RankedPattern[] = [];
  const rest = [...sorted];
  while (picked.length < topN && rest.length > 0) {
    let bestIdx = 0;
    let best = -Infinity;
    rest.forEach((r, i) => {
      const redundancy = Math.max(0, ...picked.map((p) => cosine(r.candidate.centroid as number[], p.candidate.centroid as number[])));
      const value = MMR_LAMBDA * r.score - (1 - MMR_LAMBDA) * redundancy;
      if (value > best) { best = value; bestIdx = i; }
    });
    picked.push(...rest.splice(bestIdx, 1));
  }
  return picked;
}

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
const round4 = (x: number): number => round(x, 4);
const roundAll = (c: ScoreComponents): ScoreComponents => ({
  similarity: round4(c.similarity), model: round4(c.model), success: round4(c.success), evidence: round4(c.evidence), rules: round4(c.rules),
});
