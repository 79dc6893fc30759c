/**
 * POST /v1/patterns/search. The plan's configuration (per audience entry, the conditions the miner
 * uses) is encoded with the live build's configuration encoder. Stage 1: the top K nearest success
 * patterns from the vector index, with the tenant / k-anonymity rule and the request's filters
 * pushed down, joined by the visible patterns the plan falls under (exact condition lookup in the
 * build's catalogue, so a proven configuration is never missed by the ANN). Stage 2: rerank
 * (rerank.ts). Anti-patterns the plan matches come back as warnings, never as recommendations.
 *
 * Fallbacks: graph down or slow → rerank without evidence (`served_by: 'vector_only'`);
 * vector index down → the catalogue's visible patterns nearest to the plan, reranked in process
 * (`served_by: 'popular_patterns'`).
 */
import { conditionsKey, conditionValue, configurationOf, type MiningAttribute } from '../../embeddings/patterns/configuration.ts';
import { conditionOverlap, cosine, encodeConfigurations } from '../../embeddings/patterns/configuration-encoder.ts';
import { patternsUnder, visibleAntiPatterns, visiblePatterns, type CataloguePattern, type PatternCatalogue } from '../../embeddings/patterns/pattern-catalogue.ts';
import type { PatternEvidence } from '../../embeddings/graph-store/graph-store.ts';
import type { SearchQuery, VectorFilter } from '../../embeddings/vector-index/vector-index.ts';
import type { Scorer } from '../../models/inference/scorer.ts';
import { planTouches } from '../plan-touches.ts';
import { round } from '../response-rounding.ts';
import type { SearchRequest, SearchResponse } from '../schemas/search-schema.ts';
import type { FeatureFunctions, PatternFilterOptions } from '../serving-deps.ts';
import type { ServingRuntime } from '../serving-runtime.ts';
import { PATTERNS_ALIAS } from '../serving-runtime.ts';
import type { TouchWithCampaign } from '../touch-records.ts';
import { scoreTouches } from '../touch-scores.ts';
import { explainAntiPattern, explainPattern } from './explain.ts';
import { liveCatalogue } from './live-catalogue.ts';
import { adapt, adaptedKey } from './adapted-plan.ts';
import { candidateFromHit, candidateFromPattern, type PatternCandidate } from './pattern-candidate.ts';
import { rerank } from './rerank.ts';

/** Candidates taken from the vector index for the rerank. */
export const CANDIDATES_K = 50;
/**
 * HNSW search breadth of stage 1: recall@10 of the candidates vs exact search was 0.959 at ef 128
 * and 0.977 at ef 256 on the 100k-pattern bench index (bench/search.bench.ts); ef 256 costs ~0.2 ms more.
 */
export const STAGE1_EF = 256;
/** At most this many patterns the plan falls under join the ANN's candidates. */
const LOOKUP_K = 50;

type ServedBy = SearchResponse['served_by'];

interface EncodedPlan {
  base: TouchWithCampaign[];
  asOf: number;
  /** The plan's configuration per audience entry. */
  configurations: Record<string, string>[];
  query: number[];
}

export async function searchPatterns(rt: ServingRuntime, req: SearchRequest): Promise<SearchResponse> {
  await rt.directory.requireClient(req.plan.client_id);
  const lease = rt.champion.acquire();
  try {
    const catalogue = liveCatalogue(rt);
    const plan = encodePlan(rt, req, catalogue);
    // the request's k-anonymity and filters, applied to the catalogue's patterns where they are used
    const options = filterOptions(rt, req);
    let servedBy: ServedBy = 'full';
    let candidates: PatternCandidate[];
    const indexVersion = rt.indexVersion ?? null;
    try {
      candidates = await vectorCandidates(rt, req, plan.query);
    } catch (e) {
      rt.log.warn({ err: (e as Error).message }, 'vector index unavailable; serving popular patterns');
      rt.deps.metrics.fallbacks.inc({ kind: 'popular_patterns' });
      candidates = catalogueCandidates(visiblePatterns(catalogue, options), plan.query);
      servedBy = 'popular_patterns';
    }
    candidates = withApplicable(candidates, rt, catalogue, options, plan);
    const evidence = await graphEvidence(rt, candidates, req.plan.industry);
    if (!evidence && servedBy === 'full') servedBy = 'vector_only';
    const modelProbability = await adaptedProbabilities(rt, lease.scorer, plan.base[0] as TouchWithCampaign, candidates, plan.asOf);
    const ranked = rerank({ candidates, plan: plan.configurations, industry: req.plan.industry, minClients: rt.deps.config.patterns.minClients, topN: req.top_n, evidence, modelProbability });
    const anti = visibleAntiPatterns(catalogue, { clientId: req.plan.client_id, minClients: rt.deps.config.patterns.minClients })
      .filter((a) => plan.configurations.some((c) => conditionOverlap(a.conditions, c).contained));
    const planConditions = Math.max(...plan.configurations.map((c) => Object.keys(c).length));
    return {
      served_by: servedBy, model_version: lease.model.version, index_version: servedBy === 'popular_patterns' ? null : indexVersion, candidates: candidates.length,
      patterns: ranked.map((r) => ({
        pattern_id: r.candidate.id, description: r.candidate.description, conditions: r.candidate.conditions,
        scope: r.candidate.tenant === 'global' ? 'global' as const : 'private' as const, match: r.match,
        similarity: round(r.candidate.similarity, 4), success_rate: round(r.candidate.success_rate), sample_size: r.candidate.touches,
        conversions: r.candidate.conversions, distinct_clients: r.candidate.distinct_clients,
        confidence_interval: [round(r.candidate.ci_low), round(r.candidate.ci_high)],
        lift: round(r.candidate.lift, 3), lift_interval: [round(r.candidate.lift_low, 3), round(r.candidate.lift_high, 3)], raw_lift: round(r.candidate.raw_lift, 3),
        industries: r.candidate.industries, channels: r.candidate.channels, segments: r.candidate.segments,
        model_probability: r.modelProbability === null ? null : round(r.modelProbability), proven_in_industry_by: r.provenInIndustryBy,
        own: r.own ? { sample_size: r.own.touches, success_rate: round(r.own.success_rate), lift: round(r.own.lift, 3) } : null,
        score: r.score, score_components: r.components,
        explanation: explainPattern(r, req.plan.industry, planConditions, anti),
      })),
      anti_patterns: anti.map((a) => ({
        pattern_id: a.id, description: a.description, conditions: a.conditions, scope: a.scope, success_rate: round(a.success_rate),
        sample_size: a.touches, distinct_clients: a.distinct_clients, lift: round(a.lift, 3), lift_interval: [round(a.lift_low, 3), round(a.lift_high, 3)],
        explanation: explainAntiPattern(a),
      })),
    };
  } finally {
    lease.release();
  }
}

/** The plan's touches, its configuration per audience entry (the miner's conditions) and its vector. */
function encodePlan(rt: ServingRuntime, req: SearchRequest, catalogue: PatternCatalogue): EncodedPlan {
  const { campaign, touches } = planTouches(req.plan);
  const base = touches.map((touch) => ({ touch, campaign }));
  const asOf = Math.min(Date.now(), req.plan.start);
  const configurationOfTouch = configurationReader(rt.deps.features, catalogue.attributes);
  const configurations = base.map((b) => configurationOfTouch(b.touch, b.campaign));
  return { base, asOf, configurations, query: encodeConfigurations(catalogue.encoder, configurations) };
}

type ConfigurationOfTouch = (touch: TouchWithCampaign['touch'], campaign: TouchWithCampaign['campaign']) => Record<string, string>;
const NO_AGGREGATES = new Map<string, never>();
const configurationReaders = new WeakMap<readonly MiningAttribute[], { features: FeatureFunctions; read: ConfigurationOfTouch }>();

/**
 * A planned touch's configuration over a build's attributes: configurationOf its feature record
 * (no aggregates), read through the feature functions' compiled reader of just the attributes'
 * features when they have one (compiled once per build), so no whole record is made per request.
 */
function configurationReader(features: FeatureFunctions, attributes: readonly MiningAttribute[]): ConfigurationOfTouch {
  const held = configurationReaders.get(attributes);
  if (held !== undefined && held.features === features) return held.read;
  const compiled = features.compileTouchFeatureReader?.(attributes.map((a) => a.feature));
  const read: ConfigurationOfTouch = compiled === undefined
    ? (touch, campaign) => configurationOf(features.touchFeatureRecord(touch, campaign, NO_AGGREGATES), attributes)
    : (touch, campaign) => {
      const values = compiled(touch, campaign, NO_AGGREGATES);
      const out: Record<string, string> = {};
      for (let i = 0; i < attributes.length; i++) {
        const v = conditionValue(values[i]);
        if (v !== undefined) out[(attributes[i] as MiningAttribute).key] = v;
      }
      return out;
    };
  configurationReaders.set(attributes, { features, read });
  return read;
}

const stageOneSearch = (vector: number[], filter: VectorFilter): SearchQuery => ({ vector, topK: CANDIDATES_K, filter, ef: STAGE1_EF });

/** Stage 1's vector search for a request, exactly as the route makes it (benchmarks measure its recall). */
export async function stageOneQuery(rt: ServingRuntime, req: SearchRequest): Promise<SearchQuery> {
  const { query } = encodePlan(rt, req, liveCatalogue(rt));
  return stageOneSearch(query, rt.deps.patternFilter(filterOptions(rt, req)));
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
  // the hit's vector is the candidate's own (a fresh array per hit, only read): no copy
  hits.forEach((h, i) => { if (h.vector !== undefined) (candidates[i] as PatternCandidate).centroid = h.vector; });
  return candidates;
}

/** The catalogue's visible patterns (the filter applied in memory), nearest K to the plan. */
function catalogueCandidates(visible: CataloguePattern[], query: number[]): PatternCandidate[] {
  return visible
    .map((p) => candidateFromPattern(p, cosine(query, p.centroid), 'catalogue'))
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, CANDIDATES_K);
}

/** The visible patterns whose every condition holds for the plan, added to the candidates when stage 1 missed them. */
function withApplicable(candidates: PatternCandidate[], rt: ServingRuntime, catalogue: PatternCatalogue, options: PatternFilterOptions, plan: EncodedPlan): PatternCandidate[] {
  const applicable = patternsUnder(catalogue, plan.configurations, options, LOOKUP_K, new Set(candidates.map((c) => c.id)));
  if (applicable.length > 0) rt.deps.metrics.fallbacks.inc({ kind: 'pattern_lookup' });
  return [...candidates, ...applicable.map((p) => candidateFromPattern(p, cosine(plan.query, p.centroid), 'lookup'))];
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

/** The model's probability for the plan moved to each pattern's configuration (one batch; moves to the same touch scored once). */
async function adaptedProbabilities(rt: ServingRuntime, scorer: Scorer, base: TouchWithCampaign, candidates: PatternCandidate[], asOf: number): Promise<Map<string, number> | undefined> {
  if (candidates.length === 0) return new Map();
  try {
    // a pattern's conditions are adapted once; conditions that give the same touch (a choice the plan
    // already makes, a condition the model does not read) share its row
    const rowOfConditions = new Map<string, number>();
    const rowOfTouch = new Map<string, number>();
    const items: TouchWithCampaign[] = [];
    const rows = candidates.map((c) => {
      const conditions = conditionsKey(c.conditions);
      let row = rowOfConditions.get(conditions);
      if (row === undefined) {
        const key = adaptedKey(base, c.conditions);
        row = key === undefined ? undefined : rowOfTouch.get(key);
        if (row === undefined) {
          row = items.push(adapt(base, c.conditions)) - 1;
          if (key !== undefined) rowOfTouch.set(key, row);
        }
        rowOfConditions.set(conditions, row);
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
