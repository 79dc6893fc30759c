import type { FastifyInstance } from 'fastify';
import { parseOrThrow } from '../../core/validation.ts';
import { tenantOf } from '../authentication.ts';
import { predictPlan, predictTouch } from '../predict-service.ts';
import { throughResultCache } from '../result-cache-wrapper.ts';
import { authResponses, notFoundResponse } from '../schemas/auth-responses.ts';
import { docSchema } from '../schemas/json-schema.ts';
import { errorSchema } from '../schemas/plan-schema.ts';
import { fastPredictTouch } from '../schemas/predict-fast-path.ts';
import { predictRequestSchema, predictResponseSchema } from '../schemas/predict-schema.ts';
import type { ServingRuntime } from '../serving-runtime.ts';

export function registerPredictRoute(app: FastifyInstance, rt: ServingRuntime): void {
  app.post('/v1/predict', {
    config: { auth: 'predict', foreground: true },
    schema: {
      summary: 'Success probability of a touch (of a known campaign of the key\'s client) or of a campaign plan (mean over its audience)',
      description: 'client_id may be left out: it is the API key\'s client. A different client_id is 403.',
      tags: ['predict'],
      security: [{ bearer: [] }],
      body: docSchema(predictRequestSchema),
      response: { 200: docSchema(predictResponseSchema, 'output'), 400: docSchema(errorSchema), ...notFoundResponse(), ...authResponses(), 503: docSchema(errorSchema) },
    },
  }, async (request, reply) => {
    // the common touch body is checked by a precompiled path; anything else (and every error) by zod
    const body = fastPredictTouch(request.body) ?? parseOrThrow(predictRequestSchema, request.body, 'predict request');
    const tenant = body.touch
      ? (body.touch.client_id = tenantOf(request.principal, body.touch.client_id, 'touch.client_id'))
      : (body.plan!.client_id = tenantOf(request.principal, body.plan!.client_id, 'plan.client_id'));
    const { json, hit } = await throughResultCache(rt, 'predict', tenant, body, false,
      () => (body.touch ? predictTouch(rt, { ...body.touch, client_id: tenant }) : predictPlan(rt, { ...body.plan!, client_id: tenant })),
      (v) => v.degraded === undefined);
    return reply.header('x-almanac-cache', hit ? 'hit' : 'miss').type('application/json; charset=utf-8').send(json);
  });
}
