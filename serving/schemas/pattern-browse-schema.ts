/** Query and params of GET /v1/patterns and GET /v1/patterns/:id, and their responses. */
import { z } from 'zod';
import { queryEnum, queryInt, queryText } from './query-fields.ts';

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

const interval = z.tuple([z.number(), z.number()]);

export const shownPatternSchema = z.object({
  pattern_id: z.string(), kind: z.enum(['success', 'anti']), scope: z.enum(['global', 'private']), description: z.string(),
  conditions: z.record(z.string(), z.string()), sample_size: z.number(), conversions: z.number(),
  success_rate: z.number(), confidence_interval: interval, lift: z.number(), lift_interval: interval, raw_lift: z.number(),
  distinct_clients: z.number(), campaigns: z.number(), industries: z.array(z.string()),
});

export const patternListResponseSchema = z.object({ total: z.number().int(), patterns: z.array(shownPatternSchema) });

export const patternDetailResponseSchema = z.object({
  pattern: shownPatternSchema,
  history: z.array(z.object({ index_version: z.string(), built_at: z.string(), sample_size: z.number(), success_rate: z.number(), lift: z.number(), distinct_clients: z.number() })),
  /** The key's tenant's campaigns that matched the pattern (admin: every client's); null when the graph cannot be reached. */
  campaigns: z.array(z.object({ campaign_id: z.string(), client_id: z.string().nullable(), touches: z.number(), conversions: z.number(), success_rate: z.number() })).nullable(),
});
