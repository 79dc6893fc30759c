/** Query and params of GET /v1/patterns and GET /v1/patterns/:id, and their responses. */
import { z } from 'zod';
import { queryEnum, queryInt, queryText } from './query-fields.ts';
import { patternResultSchema } from './search-schema.ts';

export const patternListQuerySchema = z.object({
  /** Absent: both kinds (success patterns first). */
  kind: queryEnum(['success', 'anti']).optional(),
  industry: queryText(100).optional(),
  /** Patterns that include this channel. */
  channel: queryText(100).optional(),
  /** Case-insensitive text in the description or a condition's value. */
  q: queryText(200).optional(),
  limit: queryInt(1, 500, 50),
  offset: queryInt(0, 1_000_000, 0),
}).strict();

export const patternParamsSchema = z.object({ id: queryText(300) });

/** A pattern as browsed: the search result's own fields for the same figures (one vocabulary), plus its kind and campaigns. */
export const shownPatternSchema = patternResultSchema.pick({
  pattern_id: true, scope: true, description: true, conditions: true, sample_size: true, conversions: true, success_rate: true,
  confidence_interval: true, lift: true, lift_interval: true, raw_lift: true, distinct_clients: true, industries: true,
}).extend({ kind: z.enum(['success', 'anti']), campaigns: z.number() });

export const patternListResponseSchema = z.object({ total: z.number().int(), patterns: z.array(shownPatternSchema) });

export const patternDetailResponseSchema = z.object({
  pattern: shownPatternSchema,
  history: z.array(z.object({ index_version: z.string(), built_at: z.string(), sample_size: z.number(), success_rate: z.number(), lift: z.number(), distinct_clients: z.number() })),
  /** The key's tenant's campaigns that matched the pattern (admin: every client's); null when the graph cannot be reached. */
  campaigns: z.array(z.object({ campaign_id: z.string(), client_id: z.string().nullable(), touches: z.number(), conversions: z.number(), success_rate: z.number() })).nullable(),
});
