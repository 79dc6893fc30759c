import { z } from 'zod';
import { CHANNELS } from '../../core/domain/campaign.ts';
import { planBodySchema, planSchema } from './plan-schema.ts';

export const MAX_TOP_N = 50;

/** POST /v1/patterns/search: `searchBodySchema` is what a request sends; `searchRequestSchema` has the tenant resolved. */
const searchOf = <P extends typeof planSchema | typeof planBodySchema>(plan: P) => z
  .object({
    plan,
    top_n: z.number().int().min(1).max(MAX_TOP_N).default(5),
    filters: z
      .object({
        industry: z.string().min(1).max(64).optional(),
        min_success_rate: z.number().min(0).max(1).optional(),
        min_sample_size: z.number().int().min(0).optional(),
        channels: z.array(z.enum(CHANNELS)).min(1).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export const searchRequestSchema = searchOf(planSchema);
export const searchBodySchema = searchOf(planBodySchema);

export const scoreComponentsSchema = z.object({
  fit: z.number(),
  lift: z.number(),
  similarity: z.number(),
  model: z.number(),
  evidence: z.number(),
  rules: z.number(),
});

const intervalSchema = z.tuple([z.number(), z.number()]);

export const patternResultSchema = z.object({
  pattern_id: z.string(),
  description: z.string(),
  /** The pattern's conditions (condition key → value): a configuration a planner can run. */
  conditions: z.record(z.string(), z.string()),
  /** 'global' (cross-client, ≥ k clients) or 'private' (the caller's own campaigns). */
  scope: z.enum(['global', 'private']),
  /** 'applies': every condition of the pattern holds for the plan; 'neighbour': some differ. */
  match: z.enum(['applies', 'neighbour']),
  similarity: z.number(),
  success_rate: z.number(),
  sample_size: z.number(),
  conversions: z.number(),
  distinct_clients: z.number(),
  confidence_interval: intervalSchema,
  /** Within-client lift (Mantel–Haenszel, stratified by client) with its 95% interval, and the unadjusted one. */
  lift: z.number(),
  lift_interval: intervalSchema,
  raw_lift: z.number(),
  industries: z.array(z.string()),
  channels: z.array(z.string()),
  segments: z.array(z.string()),
  model_probability: z.number().nullable(),
  proven_in_industry_by: z.number().nullable(),
  /** The caller's own figures for the same configuration (its private pattern), when there is one. */
  own: z.object({ sample_size: z.number(), success_rate: z.number(), lift: z.number() }).nullable(),
  score: z.number(),
  score_components: scoreComponentsSchema,
  explanation: z.string(),
});

/** An anti-pattern the plan matches: significantly worse than base; never recommended. */
export const antiPatternResultSchema = z.object({
  pattern_id: z.string(),
  description: z.string(),
  conditions: z.record(z.string(), z.string()),
  scope: z.enum(['global', 'private']),
  success_rate: z.number(),
  sample_size: z.number(),
  distinct_clients: z.number(),
  lift: z.number(),
  lift_interval: intervalSchema,
  explanation: z.string(),
});

export const searchResponseSchema = z.object({
  patterns: z.array(patternResultSchema),
  /** Anti-patterns every condition of which holds for the plan (a warning, never a recommendation). */
  anti_patterns: z.array(antiPatternResultSchema),
  served_by: z.enum(['full', 'vector_only', 'popular_patterns']),
  model_version: z.number().int().nullable(),
  index_version: z.string().nullable(),
  candidates: z.number().int(),
});

export type SearchRequest = z.output<typeof searchRequestSchema>;
export type PatternResult = z.output<typeof patternResultSchema>;
export type SearchResponse = z.output<typeof searchResponseSchema>;
export type ScoreComponents = z.output<typeof scoreComponentsSchema>;
