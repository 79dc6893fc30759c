/** Responses of GET /v1/features/views and GET /v1/log (no query: an unknown parameter is a 400). */
import { z } from 'zod';

export const noQuerySchema = z.object({}).strict();

export const featureViewsResponseSchema = z.object({
  views: z.array(z.object({
    view: z.string(), entity: z.string(),
    /** The view's windows, e.g. '1d, 7d, 28d'. */
    window: z.string(),
    /** Latest final window end the stream wrote (ISO), null before the first. */
    last_window_end: z.string().nullable(),
    /** Now − last_window_end (ms): how far the view's final rows trail the clock. */
    lag_ms: z.number().nullable(),
    /** Rows a read would serve now (null when the store cannot count them: redis). */
    online_rows: z.number().nullable(),
    /** Rows in the offline store (deduplicated); null when serving has no offline store. */
    offline_rows: z.number().nullable(),
  })),
});

export const eventLogResponseSchema = z.object({
  topic: z.string(),
  partitions: z.array(z.object({ partition: z.number().int(), start_offset: z.number().int(), end_offset: z.number().int() })),
  groups: z.array(z.object({
    group: z.string(),
    partitions: z.array(z.object({ partition: z.number().int(), committed: z.number().int().nullable(), lag: z.number().int() })),
    total_lag: z.number().int(),
  })),
});
