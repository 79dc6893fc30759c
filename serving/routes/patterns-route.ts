import type { FastifyInstance } from 'fastify';
import { parseOrThrow } from '../../core/validation.ts';
import { tenantOf } from '../authentication.ts';
import { throughResultCache } from '../result-cache-wrapper.ts';
import { authResponses, notFoundResponse } from '../schemas/auth-responses.ts';
import { docSchema } from '../schemas/json-schema.ts';
import { errorSchema } from '../schemas/plan-schema.ts';
import { searchBodySchema, searchResponseSchema, type SearchRequest } from '../schemas/search-schema.ts';
import { searchPatterns } from '../search/pattern-search.ts';
import type { ServingRuntime } from '../serving-runtime.ts';

export function registerPatternsRoute(app: FastifyInstance, rt: ServingRuntime): void {
  app.post('/v1/patterns/search', {
    config: { auth: 'search', foreground: true },
    schema: {
      summary: 'Top-N proven success patterns similar to a campaign plan, reranked with the model, graph evidence and business rules',
      description: 'plan.client_id may be left out: it is the API key\'s client (a different one is 403). Private patterns are the key\'s client\'s only.',
      tags: ['patterns'],
      security: [{ bearer: [] }],
      body: docSchema(searchBodySchema),
      response: { 200: docSchema(searchResponseSchema, 'output'), 400: docSchema(errorSchema), ...notFoundResponse(), ...authResponses(), 503: docSchema(errorSchema) },
    },
  }, async (request, reply) => {
    const parsed = parseOrThrow(searchBodySchema, request.body, 'pattern search request');
    // the tenant is set (or checked) from the key BEFORE the search sees the plan
    const tenant = tenantOf(request.principal, parsed.plan.client_id, 'plan.client_id');
    const body: SearchRequest = { ...parsed, plan: { ...parsed.plan, client_id: tenant } };
    const { json, hit } = await throughResultCache(rt, 'patterns', tenant, body, true, () => searchPatterns(rt, body), (v) => v.served_by === 'full');
    return reply.header('x-almanac-cache', hit ? 'hit' : 'miss').type('application/json; charset=utf-8').send(json);
  });
}
