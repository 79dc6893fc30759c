import type { FastifyInstance } from 'fastify';
import { parseOrThrow } from '../../core/validation.ts';
import { predictPlan, predictTouch } from '../predict-service.ts';
import { throughResultCache } from '../result-cache-wrapper.ts';
import { docSchema } from '../schemas/json-schema.ts';
import { errorSchema } from '../schemas/plan-schema.ts';
import { fastPredictTouch } from '../schemas/predict-fast-path.ts';
import { predictRequestSchema, predictResponseSchema } from '../schemas/predict-schema.ts';
import type { ServingRuntime } from '../serving-runtime.ts';

export function registerPredictRoute(app: FastifyInstance, rt: ServingRuntime): void {
  app.post('/v1/predict', {
    schema: {
      summary: 'Success probability of a touch (of a known campaign) or of a campaign plan (mean over its audience)',
      tags: ['predict'],
      body: docSchema(predictRequestSchema),
      response: { 200: docSchema(predictResponseSchema, 'output'), 400: docSchema(errorSchema), 404: docSchema(errorSchema), 503: docSchema(errorSchema) },
    },
  }, async (request, reply) => {
    // the common touch body is checked by a precompiled path; anything else (and every error) by zod
    const body = fastPredictTouch(request.body) ?? parseOrThrow(predictRequestSchema, request.body, 'predict request');
    const { json, hit } = await throughResultCache(rt, 'predict', body, false,
      () => (body.touch ? predictTouch(rt, body.touch) : predictPlan(rt, body.plan!)),
      (v) => v.degraded === undefined);
    return reply.header('x-almanac-cache', hit ? 'hit' : 'miss').type('application/json; charset=utf-8').send(json);
  });
}
