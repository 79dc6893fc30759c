/**
 * GET /v1/features/views and GET /v1/log (admin): the feature views' freshness (from the stream
 * job's checkpoint: features/feature-view-freshness.ts) and the event log's partitions with each
 * stream consumer group's committed offsets and lag (EventLog.offsets / groupOffsets, behind the
 * event-log guard). Online row counts come from stores that count them ('row_counts': embedded);
 * offline row counts from the offline store (opened on first use; counts kept OFFLINE_STATS_MS).
 */
import type { FastifyInstance } from 'fastify';
import { parseOrThrow } from '../../core/validation.ts';
import { featureViewFreshness, streamGroups } from '../../features/feature-view-freshness.ts';
import { windowLabel } from '../../features/feature-view.ts';
import { FEATURE_VIEWS } from '../../features/views/index.ts';
import { EVENTS_TOPIC } from '../../pipelines/event-log/event-log.ts';
import { authResponses } from '../schemas/auth-responses.ts';
import { docSchema } from '../schemas/json-schema.ts';
import { eventLogResponseSchema, featureViewsResponseSchema, noQuerySchema } from '../schemas/pipeline-status-schema.ts';
import { errorSchema } from '../schemas/plan-schema.ts';
import type { ServingRuntime } from '../serving-runtime.ts';
import type { z } from 'zod';

export function registerPipelineStatusRoutes(app: FastifyInstance, rt: ServingRuntime): void {
  const errors = { 400: docSchema(errorSchema), ...authResponses() };
  app.get('/v1/features/views', {
    config: { auth: 'admin' },
    schema: {
      summary: 'Feature views: entity, windows, the latest final window the stream wrote and how far it trails the clock (admin key)',
      tags: ['pipelines'], security: [{ bearer: [] }], response: { 200: docSchema(featureViewsResponseSchema, 'output'), ...errors },
    },
  }, async (request): Promise<z.output<typeof featureViewsResponseSchema>> => {
    parseOrThrow(noQuerySchema, request.query ?? {}, 'feature views query', 'query');
    const now = Date.now();
    const [freshness, online, offline] = await Promise.all([featureViewFreshness(rt.deps.config), onlineRowCounts(rt, now), offlineRowStats(rt)]);
    return {
      views: FEATURE_VIEWS.map((v) => {
        // the stream's frontier; a home filled by a backfill only: the latest offline row
        const end = freshness.get(v.name)?.lastWindowEnd ?? offline?.get(v.name)?.lastTimestamp;
        return {
          view: v.name, entity: v.entity, window: [...new Set(v.windows.map(windowLabel))].join(', '),
          last_window_end: end === undefined ? null : new Date(end).toISOString(), lag_ms: end === undefined ? null : Math.max(0, now - end),
          online_rows: online === null ? null : online[v.name] ?? 0, offline_rows: offline?.get(v.name)?.rows ?? null,
        };
      }),
    };
  });

  app.get('/v1/log', {
    config: { auth: 'admin' },
    schema: {
      summary: 'The event log: each partition\'s offsets, and each stream consumer group\'s committed offsets and lag (admin key)',
      tags: ['pipelines'], security: [{ bearer: [] }], response: { 200: docSchema(eventLogResponseSchema, 'output'), ...errors, 503: docSchema(errorSchema) },
    },
  }, async (request): Promise<z.output<typeof eventLogResponseSchema>> => {
    parseOrThrow(noQuerySchema, request.query ?? {}, 'event log query', 'query');
    const log = rt.deps.eventLog;
    const guard = rt.guards.eventLog;
    const partitions = await guard.call('offsets', () => log.offsets(EVENTS_TOPIC));
    const groups = [];
    for (const group of await streamGroups(rt.deps.config)) {
      const committed = await guard.call('group_offsets', () => log.groupOffsets(group, EVENTS_TOPIC));
      const rows = partitions.map((p) => {
        const c = committed.get(p.partition);
        return { partition: p.partition, committed: c ?? null, lag: Math.max(0, p.end - Math.max(c ?? p.start, p.start)) };
      });
      groups.push({ group, partitions: rows, total_lag: rows.reduce((a, r) => a + r.lag, 0) });
    }
    return { topic: EVENTS_TOPIC, partitions: partitions.map((p) => ({ partition: p.partition, start_offset: p.start, end_offset: p.end })), groups };
  });
}

/** Served rows per view, or null when the online store cannot count them (redis) or does not answer. */
async function onlineRowCounts(rt: ServingRuntime, now: number): Promise<Record<string, number> | null> {
  const store = rt.deps.onlineStore;
  if (!store.capabilities.has('row_counts')) return null;
  try {
    return await rt.guards.onlineStore.call('row_counts', () => store.rowCounts(now));
  } catch (e) {
    rt.log.warn({ err: (e as Error).message }, 'cannot count online rows');
    return null;
  }
}

/** Offline counts are re-read at most this often (each is a scan of the view's entity and timestamp columns). */
export const OFFLINE_STATS_MS = 10_000;
const offlineCache = new WeakMap<object, { at: number; stats: Map<string, { rows: number; lastTimestamp: number | undefined }> }>();

/** Per view, or undefined when serving has no offline store or it cannot be read. */
async function offlineRowStats(rt: ServingRuntime): Promise<Map<string, { rows: number; lastTimestamp: number | undefined }> | undefined> {
  const read = rt.deps.offlineRowStats;
  if (read === undefined) return undefined;
  const held = offlineCache.get(rt);
  if (held !== undefined && Date.now() - held.at < OFFLINE_STATS_MS) return held.stats;
  try {
    const stats = new Map(await Promise.all(FEATURE_VIEWS.map(async (v) => [v.name, await read(v.name)] as const)));
    offlineCache.set(rt, { at: Date.now(), stats });
    return stats;
  } catch (e) {
    rt.log.warn({ err: (e as Error).message }, 'cannot count offline rows');
    return undefined;
  }
}
