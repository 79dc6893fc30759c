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
  similarity: z.number(),
  model: z.number(),
  success: z.number(),
  evidence: z.number(),
  rules: z.number(),
});

export const patternResultSchema = z.object({
  pattern_id: z.string(),
  description: z.string(),
  similarity: z.number(),
  success_rate: z.number(),
  sample_size: z.number(),
  conversions: z.number(),
  distinct_clients: z.number(),
  confidence_interval: z.tuple([z.number(), z.number()]),
  industries: z.array(z.string()),
  channels: z.array(z.string()),
  segments: z.array(z.string()),
  model_probability: z.number().nullable(),
  proven_in_industry_by: z.number().nullable(),
  score: z.number(),
  score_components: scoreComponentsSchema,
  explanation: z.string(),
});

export const searchResponseSchema = z.object({
  patterns: z.array(patternResultSchema),
  served_by: z.enum(['full', 'vector_only', 'popular_patterns']),
  model_version: z.number().int().nullable(),
  index_version: z.string().nullable(),
  candidates: z.number().int(),
});

export type SearchRequest = z.output<typeof searchRequestSchema>;
export type PatternResult = z.output<typeof patternResultSchema>;
export type SearchResponse = z.output<typeof searchResponseSchema>;
export type ScoreComponents = z.output<typeof scoreComponentsSchema>;
