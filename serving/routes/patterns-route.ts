import type { FastifyInstance } from 'fastify';
import { parseOrThrow } from '../../core/validation.ts';
import { throughResultCache } from '../result-cache-wrapper.ts';
import { docSchema } from '../schemas/json-schema.ts';
import { errorSchema } from '../schemas/plan-schema.ts';
import { searchRequestSchema, searchResponseSchema } from '../schemas/search-schema.ts';
import { searchPatterns } from '../search/pattern-search.ts';
import type { ServingRuntime } from '../serving-runtime.ts';

export function registerPatternsRoute(app: FastifyInstance, rt: ServingRuntime): void {
  app.post('/v1/patterns/search', {
    schema: {
      summary: 'Top-N proven success patterns similar to a campaign plan, reranked with the model, graph evidence and business rules',
      tags: ['patterns'],
      body: docSchema(searchRequestSchema),
      response: { 200: docSchema(searchResponseSchema, 'output'), 400: docSchema(errorSchema), 404: docSchema(errorSchema), 503: docSchema(errorSchema) },
    },
  }, async (request, reply) => {
    const body = parseOrThrow(searchRequestSchema, request.body, 'pattern search request');
    const { json, hit } = await throughResultCache(rt, 'patterns', body, true, () => searchPatterns(rt, body), (v) => v.served_by === 'full');
    return reply.header('x-almanac-cache', hit ? 'hit' : 'miss').type('application/json; charset=utf-8').send(json);
  });
}
