/**
 * GET /v1/patterns and GET /v1/patterns/:id (tenant or admin key): browse the live build's
 * patterns the key may see (serving/search/visible-catalogue.ts: the search's own k-anonymity rule
 * and rounding), and one pattern with its figures over index builds and the campaigns behind it —
 * only the key's tenant's campaigns. An unknown id and one the key may not see get the same 404.
 */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { patternHistory } from '../../embeddings/patterns/pattern-history.ts';
import { round } from '../response-rounding.ts';
import { authResponses, notFoundResponse } from '../schemas/auth-responses.ts';
import { docSchema } from '../schemas/json-schema.ts';
import { patternDetailResponseSchema, patternListQuerySchema, patternListResponseSchema, patternParamsSchema } from '../schemas/pattern-browse-schema.ts';
import { errorSchema } from '../schemas/plan-schema.ts';
import { liveCatalogue } from '../search/live-catalogue.ts';
import { mayView, shownPattern, viewerOf, visibleCatalogue, type Viewer } from '../search/visible-catalogue.ts';
import type { ServingRuntime } from '../serving-runtime.ts';
import { forbidden } from '../authentication.ts';
import type { z } from 'zod';
import type { CataloguePattern } from '../../embeddings/patterns/pattern-catalogue.ts';

type ListQuery = z.output<typeof patternListQuerySchema>;

function matches(p: CataloguePattern, q: ListQuery): boolean {
  if (q.kind !== undefined && (p.kind ?? 'success') !== q.kind) return false;
  if (q.industry !== undefined && !p.industries.includes(q.industry)) return false;
  if (q.channel !== undefined && !p.channels.includes(q.channel)) return false;
  if (q.q !== undefined) {
    const needle = q.q.toLowerCase();
    if (!p.description.toLowerCase().includes(needle) && !Object.values(p.conditions).some((v) => v.toLowerCase().includes(needle))) return false;
  }
  return true;
}

function viewer(principal: Parameters<typeof viewerOf>[0]): Viewer {
  const v = viewerOf(principal);
  if (v === undefined) throw forbidden('this key has no client: use a tenant key or an admin key');
  return v;
}

export function registerPatternBrowseRoutes(app: FastifyInstance, rt: ServingRuntime): void {
  const errors = { 400: docSchema(errorSchema), ...authResponses(), 503: { ...docSchema(errorSchema), description: 'No pattern index built yet (ALMANAC_ERR_INDEX_NOT_READY)' } };
  app.get('/v1/patterns', {
    config: { auth: 'search' },
    schema: {
      summary: 'Browse the success patterns and anti-patterns this key may see (cross-client ones under k-anonymity, the tenant\'s own private ones; admin: all)',
      tags: ['patterns'], security: [{ bearer: [] }], querystring: docSchema(patternListQuerySchema),
      response: { 200: docSchema(patternListResponseSchema, 'output'), ...errors },
    },
  }, async (request) => {
    const query = parseOrThrow(patternListQuerySchema, request.query ?? {}, 'pattern list query', 'query');
    const all = visibleCatalogue(liveCatalogue(rt), viewer(request.principal), rt.deps.config.patterns.minClients).filter((p) => matches(p, query));
    return { total: all.length, patterns: all.slice(query.offset, query.offset + query.limit).map(shownPattern) };
  });

  app.get('/v1/patterns/:id', {
    config: { auth: 'search' },
    schema: {
      summary: 'One pattern: its figures, its figures over index builds, and the campaigns of this key\'s tenant that match it (admin: every client\'s)',
      tags: ['patterns'], security: [{ bearer: [] }], params: docSchema(patternParamsSchema),
      response: { 200: docSchema(patternDetailResponseSchema, 'output'), ...notFoundResponse(), ...errors },
    },
  }, async (request): Promise<z.output<typeof patternDetailResponseSchema>> => {
    const { id } = parseOrThrow(patternParamsSchema, request.params, 'pattern id', 'params');
    const who = viewer(request.principal);
    const k = rt.deps.config.patterns.minClients;
    const catalogue = liveCatalogue(rt);
    const pattern = visibleCatalogue(catalogue, who, k).find((p) => p.id === id);
    if (pattern === undefined) throw notFound('pattern', id);
    const history = patternHistory(rt.deps.config, pattern, catalogue)
      .filter((h) => mayView(h, who, k))
      .map(({ index_version, built_at, touches, success_rate, lift, clients }) => ({ index_version, built_at, sample_size: touches, success_rate: round(success_rate), lift: round(lift, 3), distinct_clients: clients }));
    return { pattern: shownPattern(pattern), history, campaigns: await campaignsOf(rt, id, who) };
  });
}

async function campaignsOf(rt: ServingRuntime, patternId: string, who: Viewer): Promise<z.output<typeof patternDetailResponseSchema>['campaigns']> {
  const client = who.admin ? undefined : who.clientId;
  try {
    const rows = await rt.guards.graph.call('pattern_campaigns', () => rt.deps.graph.patternCampaigns(patternId, client));
    return rows
      .filter((c) => client === undefined || c.clientId === client)
      .map((c) => ({ campaign_id: c.campaignId, client_id: c.clientId, touches: c.touches, conversions: c.conversions, success_rate: c.touches > 0 ? round(c.conversions / c.touches) : 0 }));
  } catch (e) {
    rt.log.warn({ err: (e as Error).message }, 'graph unavailable; pattern page without its campaigns');
    return null;
  }
}
