/**
 * The REST service (fastify 5): `buildApp(deps, options)` wires routes, schemas, the error
 * handler, metrics, the OpenAPI document and hot reload; `createServingDeps(config)` builds the
 * deps from configuration. Tested through `app.inject` without a port.
 */
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { AlmanacError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { installAuditLog } from './audit-log.ts';
import { installAuthentication } from './authentication.ts';
import { registerConsoleAssets } from './console-assets.ts';
import { frameworkErrorReply, installErrorHandlers } from './error-handler.ts';
import { installJsonBodyParser } from './json-body.ts';
import { registerEventsRoute } from './routes/events-route.ts';
import { registerConsoleRoutes } from './routes/console-routes.ts';
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
  /** Every request acts as admin without a key (`almanac serve --insecure-no-auth`; loopback only). */
  insecureNoAuth?: boolean;
  /** The ioredis client the rate limiter counts in (shared by replicas); default in-process counts. */
  rateLimitRedis?: unknown;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The serving runtime (champion, index version, guards) — tests use it to trigger a reload. */
    almanac: ServingRuntime;
  }
}

/** How long closing waits for the requests still being answered. */
const CLOSE_DRAIN_MS = 10_000;

export async function buildApp(deps: ServingDeps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? deps.logger;
  const app = Fastify({
    // request loggers are made on first use (most requests write no line at 'warn')
    ...(logger ? { loggerInstance: logger, childLoggerFactory: lazyChildLogger } : { logger: false }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    frameworkErrors: frameworkErrorReply,
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
  installAuthentication(app, rt.auth, { insecureNoAuth: options.insecureNoAuth ?? false });
  if (deps.audit) installAuditLog(app, deps.audit);
  const limit = deps.config.serving.rateLimit;
  await app.register(rateLimit, {
    global: true,
    // after authentication (onRequest): counted per verified key, never per claimed key id; before the
    // body is read, so a throttled key's body is neither parsed nor validated
    hook: 'preParsing',
    max: limit.max,
    timeWindow: limit.windowMs,
    keyGenerator: (request) => (request.principal ? `key:${request.principal.keyId}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) => new AlmanacError('ALMANAC_ERR_RATE_LIMITED', `rate limit exceeded: ${context.max} requests per ${Math.round(limit.windowMs / 1000)} s for this key; retry in ${context.after}`, { details: { max: context.max, retry_after_s: Math.ceil(context.ttl / 1000) } }),
    ...(options.rateLimitRedis ? { redis: options.rateLimitRedis, nameSpace: 'almanac:ratelimit:', skipOnError: true } : {}),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Almanac', version: '0.1.0', description: 'Success probability of campaign touches and plans; similar proven success patterns. Every route but /health/live needs an API key: `Authorization: Bearer alm_…` (`almanac keys create`).' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'alm_<key id>_<secret>', description: 'An Almanac API key. Tenant keys: scopes predict, search, events:write; operator keys: admin, ingest.' } } },
      security: [{ bearer: [] }],
    },
  });
  registerMetrics(app, deps.metrics, deps.config.serving.metricsAddress === undefined);
  registerPredictRoute(app, rt);
  registerPatternsRoute(app, rt);
  registerEventsRoute(app, rt);
  registerModelsRoute(app, rt);
  registerHealthRoutes(app, rt);
  registerConsoleRoutes(app, rt);
  registerConsoleAssets(app); // GET / and /console/*: the web console (open, hidden from the OpenAPI document)
  app.get('/openapi.json', { config: { auth: 'open' }, schema: { hide: true } }, async () => app.swagger());
  // Closing waits for the requests being answered (up to CLOSE_DRAIN_MS) before the runtime and the
  // stores close: a search in flight at shutdown is answered whole, not degraded by a store closed
  // under it (fastify runs onClose without waiting for the handlers still running).
  const inFlight = new Set<string>();
  let drained: (() => void) | undefined;
  const finished = (request: { id: string }): void => {
    if (inFlight.delete(request.id) && inFlight.size === 0) drained?.();
  };
  // predict and search are counted while they are answered (from when their body is in, so a slow
  // client's request does not count): an events batch is read in the gaps between them
  const foreground = new WeakSet<object>();
  const leaveForeground = (request: FastifyRequest): void => {
    if (foreground.delete(request)) rt.foreground.leave();
  };
  app.addHook('onRequest', (request, _reply, done) => { inFlight.add(request.id); done(); });
  app.addHook('preHandler', (request, _reply, done) => {
    if (request.routeOptions.config.foreground === true) {
      foreground.add(request);
      rt.foreground.enter();
    }
    done();
  });
  app.addHook('onResponse', (request, _reply, done) => { finished(request); leaveForeground(request); done(); });
  app.addHook('onRequestAbort', (request, done) => { finished(request); leaveForeground(request); done(); });
  app.addHook('onClose', async () => {
    if (inFlight.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_DRAIN_MS);
        drained = () => { clearTimeout(timer); resolve(); };
      });
    }
    await rt.stop();
    await deps.close?.();
  });
  await rt.start({ poll: options.poll ?? true });
  return app;
}
