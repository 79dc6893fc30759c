/**
 * The REST service (fastify 5): `buildApp(deps, options)` wires routes, schemas, the error
 * handler, metrics, the OpenAPI document and hot reload; `createServingDeps(config)` builds the
 * deps from configuration. Tested through `app.inject` without a port.
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/logger.ts';
import { installErrorHandlers } from './error-handler.ts';
import { installJsonBodyParser } from './json-body.ts';
import { registerEventsRoute } from './routes/events-route.ts';
import { registerHealthRoutes } from './routes/health-routes.ts';
import { registerMetrics } from './routes/metrics-route.ts';
import { registerModelsRoute } from './routes/models-route.ts';
import { registerPatternsRoute } from './routes/patterns-route.ts';
import { lazyChildLogger } from './request-logger.ts';
import { registerPredictRoute } from './routes/predict-route.ts';
import type { ServingDeps } from './serving-deps.ts';
import { ServingRuntime } from './serving-runtime.ts';

export { createServingDeps } from './create-serving-deps.ts';
export type { ServingDeps } from './serving-deps.ts';

/** Request bodies above this are refused with 413 (POST /v1/events allows more). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface BuildAppOptions {
  /** pino logger for requests (default: deps.logger, else silent). */
  logger?: Logger;
  /** Poll the registry and the index alias for hot reload (default true; tests call `reload`). */
  poll?: boolean;
  bodyLimit?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The serving runtime (champion, index version, guards) — tests use it to trigger a reload. */
    almanac: ServingRuntime;
  }
}

export async function buildApp(deps: ServingDeps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? deps.logger;
  const app = Fastify({
    // request loggers are made on first use (most requests write no line at 'warn')
    ...(logger ? { loggerInstance: logger, childLoggerFactory: lazyChildLogger } : { logger: false }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  }) as unknown as FastifyInstance;
  // zod validates in the handlers (field paths in 400s); the JSON schemas only document.
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // Every body is JSON: without fastify's built-in text/plain parser a text body is 415 (not a 400 on a string).
  app.removeContentTypeParser('text/plain');
  installJsonBodyParser(app);
  const rt = new ServingRuntime({ ...deps, ...(logger ? { logger } : {}) });
  app.decorate('almanac', rt);
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  installErrorHandlers(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Almanac', version: '0.1.0', description: 'Success probability of campaign touches and plans; similar proven success patterns.' },
    },
  });
  registerMetrics(app, deps.metrics);
  registerPredictRoute(app, rt);
  registerPatternsRoute(app, rt);
  registerEventsRoute(app, rt);
  registerModelsRoute(app, rt);
  registerHealthRoutes(app, rt);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.addHook('onClose', async () => {
    await rt.stop();
    await deps.close?.();
  });
  await rt.start({ poll: options.poll ?? true });
  return app;
}
