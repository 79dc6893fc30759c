/**
 * POST /v1/patterns/search. Stage 1: embed the plan (mean of the model's embeddings of its
 * audience touches) and take the top K nearest patterns from the vector index, with the tenant /
 * k-anonymity rule and the request's filters pushed down. Stage 2: rerank (rerank.ts).
 *
 * Fallbacks: graph down or slow → rerank without evidence (`served_by: 'vector_only'`);
 * vector index down → the pattern catalogue, filtered and reranked in process
 * (`served_by: 'popular_patterns'`).
 */
import { AlmanacError } from '../../core/errors.ts';
import type { PatternEvidence } from '../../embeddings/graph-store/graph-store.ts';
import type { SearchQuery, VectorFilter } from '../../embeddings/vector-index/vector-index.ts';
import type { Scorer } from '../../models/inference/scorer.ts';
import { planTouches } from '../plan-touches.ts';
import { round } from '../response-rounding.ts';
import type { SearchRequest, SearchResponse } from '../schemas/search-schema.ts';
import type { PatternFilterOptions } from '../serving-deps.ts';
import type { ServingRuntime } from '../serving-runtime.ts';
import { PATTERNS_ALIAS } from '../serving-runtime.ts';
import { touchRecords, type TouchWithCampaign } from '../touch-records.ts';
import { scoreTouches } from '../touch-scores.ts';
import { explainPattern } from './explain.ts';
import { candidateFromHit, candidateFromPattern, cosine, type PatternCandidate } from './pattern-candidate.ts';
import { rerank } from './rerank.ts';

/** Candidates taken from the vector index for the rerank. */
export const CANDIDATES_K = 50;
/**
 * HNSW search breadth of stage 1: recall@10 of the candidates vs exact search was 0.959 at ef 128
 * and 0.977 at ef 256 on the 100k-pattern bench index (bench/search.bench.ts); ef 256 costs ~0.2 ms more.
 */
export const STAGE1_EF = 256;

type ServedBy = SearchResponse['served_by'];

export async function searchPatterns(rt: ServingRuntime, req: SearchRequest): Promise<SearchResponse> {
  await rt.directory.requireClient(req.plan.client_id);
  const lease = rt.champion.acquire();
  try {
    const { base, asOf, query } = await embedPlan(rt, req, lease.scorer);
    let servedBy: ServedBy = 'full';
    let candidates: PatternCandidate[];
    const indexVersion = rt.indexVersion ?? null;
    try {
      candidates = await vectorCandidates(rt, req, query);
    } catch (e) {
      rt.log.warn({ err: (e as Error).message }, 'vector index unavailable; serving popular patterns');
      rt.deps.metrics.fallbacks.inc({ kind: 'popular_patterns' });
      candidates = await catalogueCandidates(rt, req, query);
      servedBy = 'popular_patterns';
    }
    const evidence = await graphEvidence(rt, candidates, req.plan.industry);
    if (!evidence && servedBy === 'full') servedBy = 'vector_only';
    const modelProbability = await adaptedProbabilities(rt, lease.scorer, base[0] as TouchWithCampaign, candidates, asOf);
    const ranked = rerank({ candidates, industry: req.plan.industry, minClients: rt.deps.config.patterns.minClients, topN: req.top_n, evidence, modelProbability });
    return {
      served_by: servedBy, model_version: lease.model.version, index_version: servedBy === 'popular_patterns' ? null : indexVersion, candidates: candidates.length,
      patterns: ranked.map((r) => ({
        pattern_id: r.candidate.id, description: r.candidate.description, similarity: round(r.candidate.similarity, 4),
        success_rate: round(r.candidate.success_rate), sample_size: r.candidate.touches, conversions: r.candidate.conversions,
        distinct_clients: r.candidate.distinct_clients, confidence_interval: [round(r.candidate.ci_low), round(r.candidate.ci_high)],
        industries: r.candidate.industries, channels: r.candidate.channels, segments: r.candidate.segments,
        model_probability: r.modelProbability === null ? null : round(r.modelProbability), proven_in_industry_by: r.provenInIndustryBy,
        score: r.score, score_components: r.components, explanation: explainPattern(r, req.plan.industry),
      })),
    };
  } finally {
    lease.release();
  }
}

/** The plan's touches and its embedding (the mean of the model's embeddings of its audience touches). */
async function embedPlan(rt: ServingRuntime, req: SearchRequest, scorer: Scorer): Promise<{ base: TouchWithCampaign[]; asOf: number; query: number[] }> {
  const { campaign, touches } = planTouches(req.plan);
  const base = touches.map((touch) => ({ touch, campaign }));
  const asOf = Math.min(Date.now(), req.plan.start);
  const { records } = await touchRecords(base, rt.touchFeatures, scorer.signature, asOf);
  return { base, asOf, query: meanVector(await scorer.embed(records)) };
}

const stageOneSearch = (vector: number[], filter: VectorFilter): SearchQuery => ({ vector, topK: CANDIDATES_K, filter, ef: STAGE1_EF });

/** Stage 1's vector search for a request, exactly as the route makes it (benchmarks measure its recall). */
export async function stageOneQuery(rt: ServingRuntime, req: SearchRequest): Promise<SearchQuery> {
  const lease = rt.champion.acquire();
  try {
    const { query } = await embedPlan(rt, req, lease.scorer);
    return stageOneSearch(query, rt.deps.patternFilter(filterOptions(rt, req)));
  } finally {
    lease.release();
  }
}

function filterOptions(rt: ServingRuntime, req: SearchRequest): PatternFilterOptions {
  const f = req.filters;
  return {
    clientId: req.plan.client_id, minClients: rt.deps.config.patterns.minClients,
    ...(f.industry ? { industry: f.industry } : {}), ...(f.min_success_rate !== undefined ? { minSuccessRate: f.min_success_rate } : {}),
    ...(f.min_sample_size !== undefined ? { minSampleSize: f.min_sample_size } : {}), ...(f.channels ? { channels: f.channels } : {}),
  };
}

async function vectorCandidates(rt: ServingRuntime, req: SearchRequest, query: number[]): Promise<PatternCandidate[]> {
  const collection = rt.indexVersion ?? PATTERNS_ALIAS;
  const filter = rt.deps.patternFilter(filterOptions(rt, req));
  const hits = await rt.guards.vector.call('search', () => rt.deps.vectorIndex.search(collection, { ...stageOneSearch(query, filter), includeVectors: true }));
  const candidates = hits.map(candidateFromHit);
  if (candidates.length < 2) return candidates;
  if (hits.every((h) => h.vector !== undefined)) {
    hits.forEach((h, i) => { (candidates[i] as PatternCandidate).centroid = h.vector; });
    return candidates;
  }
  try {
    // an adapter that does not return vectors with hits: read the centroids by id
    const records = await rt.guards.vector.call('get', () => rt.deps.vectorIndex.get(collection, candidates.map((c) => c.id)));
    const byId = new Map(records.map((r) => [r.id, Array.from(r.vector)]));
    for (const c of candidates) { const v = byId.get(c.id); if (v) c.centroid = v; }
  } catch {
    // centroids only serve diversity; without them the rerank caps patterns per channel
  }
  return candidates;
}

/** The catalogue's visible patterns (the filter applied in memory), nearest K to the plan. */
async function catalogueCandidates(rt: ServingRuntime, req: SearchRequest, query: number[]): Promise<PatternCandidate[]> {
  const patterns = await rt.deps.popularPatterns(filterOptions(rt, req));
  if (patterns.length === 0 && rt.indexVersion === undefined) {
    throw new AlmanacError('ALMANAC_ERR_INDEX_NOT_READY', 'the pattern index is unavailable and there is no pattern catalogue yet; run `almanac index`');
  }
  return patterns
    .map((p) => candidateFromPattern(p, cosine(query, p.centroid)))
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, CANDIDATES_K);
}

async function graphEvidence(rt: ServingRuntime, candidates: PatternCandidate[], industry: string): Promise<Map<string, PatternEvidence> | undefined> {
  if (candidates.length === 0) return new Map();
  try {
    return await rt.guards.graph.call('pattern_evidence', () => rt.deps.graph.patternEvidence(candidates.map((c) => c.id), industry));
  } catch (e) {
    rt.log.warn({ err: (e as Error).message }, 'graph unavailable; ranking without evidence');
    rt.deps.metrics.fallbacks.inc({ kind: 'vector_only' });
    return undefined;
  }
}

/** The model's probability for the plan moved to each pattern's dominant channel and segment (one batch). */
async function adaptedProbabilities(rt: ServingRuntime, scorer: Scorer, base: TouchWithCampaign, candidates: PatternCandidate[], asOf: number): Promise<Map<string, number> | undefined> {
  if (candidates.length === 0) return new Map();
  try {
    // candidates sharing a dominant (channel, segment) adapt the plan identically: score each once
    const rowOf = new Map<string, number>();
    const items: TouchWithCampaign[] = [];
    const rows = candidates.map((c) => {
      const key = `${c.channels[0] ?? ''}\u0000${c.segments[0] ?? ''}`;
      let row = rowOf.get(key);
      if (row === undefined) {
        row = items.push(adapt(base, c)) - 1;
        rowOf.set(key, row);
      }
      return row;
    });
    const { probabilities } = await scoreTouches(scorer, items, rt.touchFeatures, asOf);
    return new Map(candidates.map((c, i) => [c.id, probabilities[rows[i] as number] ?? 0]));
  } catch (e) {
    rt.log.warn({ err: (e as Error).message }, 'adapted scoring failed; ranking without the model component');
    return undefined;
  }
}

function adapt(base: TouchWithCampaign, c: PatternCandidate): TouchWithCampaign {
  const channel = c.channels[0] ?? base.touch.channel;
  const segment = c.segments[0] ?? base.touch.audience.segment;
  return {
    touch: { ...base.touch, ...(channel ? { channel } : {}), audience: { ...base.touch.audience, segment } },
    campaign: base.campaign && channel ? { ...base.campaign, channel } : base.campaign,
  };
}

function meanVector(vectors: Float32Array[]): number[] {
  const width = vectors[0]?.length ?? 0;
  const out = new Array<number>(width).fill(0);
  for (const v of vectors) for (let i = 0; i < width; i++) out[i] = (out[i] as number) + (v[i] as number) / vectors.length;
  return out;
}
