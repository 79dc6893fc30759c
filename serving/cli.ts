/** `almanac serve`: the REST service on the embedded (or configured) engines, until SIGINT/SIGTERM. */
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { action, commandConfig, intOption, PORT_MAX } from '../core/cli/command.ts';
import type { AlmanacConfig } from '../core/config.ts';
import { invalidInput } from '../core/errors.ts';
import type { Metrics } from '../core/metrics.ts';
import type { RedisClient } from '../core/redis-connection.ts';
import { tuneHeapForServing } from './heap-tuning.ts';
import { shutDown, untilSignal } from './shutdown.ts';
import { registerMetricsRoute } from './routes/metrics-route.ts';
import { applyServerLimits, type ServerLimits } from './server-limits.ts';
import type { ServingRuntime } from './serving-runtime.ts';

export function registerServeCommands(program: Command): void {
  program.command('serve').description('serve predictions, pattern search, event intake, models, health and metrics over HTTP (Ctrl-C to stop)')
    .option('--port <n>', 'TCP port (default: config serving.port / ALMANAC_PORT, 8080; 0 = any free port)')
    .option('--host <host>', 'interface to bind (default: config serving.host / ALMANAC_HOST, 127.0.0.1)')
    .option('--insecure-no-auth', 'local experiments only: no API keys, every request acts as admin; refused on a non-loopback address')
    .action(action(async (flags: { port?: string; host?: string; insecureNoAuth?: boolean }, cmd: Command) => {
      // Parsed inside the action, so that a bad port is one `almanac: ALMANAC_ERR_INPUT_INVALID: …` line and exit 2.
      const port = flags.port === undefined ? undefined : intOption('--port', 0, PORT_MAX)(flags.port);
      const config = commandConfig(cmd);
      const { app, metrics } = await startServer(config, { port, host: flags.host, insecureNoAuth: flags.insecureNoAuth === true });
      await untilSignal();
      await shutDown(app, metrics);
    }));
}

export interface StartServerOptions {
  port?: number;
  host?: string;
  /** `--insecure-no-auth`: loopback addresses only; warns at every start. */
  insecureNoAuth?: boolean;
}

/** Whether a bind address is loopback only (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export const INSECURE_WARNING = 'WARNING: --insecure-no-auth: no API keys are checked and every request acts as admin. For local experiments only; never expose this server.';

/**
 * Builds the deps and the app, sets the server limits (serving/server-limits.ts), listens, and prints the URL on stderr; with `serving.metricsAddress`,
 * GET /metrics is served (without a key) on a second listener bound to that address only.
 * @throws ALMANAC_ERR_INPUT_INVALID for --insecure-no-auth on a non-loopback address
 */
export async function startServer(config: AlmanacConfig, opts: StartServerOptions = {}): Promise<{ app: FastifyInstance; url: string; metrics?: FastifyInstance }> {
  const host = opts.host ?? config.serving.host;
  if (opts.insecureNoAuth && !isLoopback(host)) {
    throw invalidInput(`--insecure-no-auth is refused on '${host}': bind a loopback address (--host 127.0.0.1) or use API keys (\`almanac keys create\`)`, [{ path: 'host', reason: 'must be loopback with --insecure-no-auth' }]);
  }
  tuneHeapForServing(); // before anything of the server is made
  const [{ buildApp }, { createServingDeps }] = await Promise.all([import('./app.ts'), import('./create-serving-deps.ts')]);
  const deps = await createServingDeps(config);
  const rateLimitRedis = config.tenants.adapter === 'redis' ? await rateLimitClient(config) : undefined;
  const app = await buildApp(deps, { insecureNoAuth: opts.insecureNoAuth === true, ...(rateLimitRedis ? { rateLimitRedis } : {}) });
  if (rateLimitRedis) app.addHook('onClose', async () => (await import('../core/redis-connection.ts')).closeRedis(rateLimitRedis));
  if (opts.insecureNoAuth) process.stderr.write(`${INSECURE_WARNING}\n`);
  applyServerLimits(app.server, config.serving.limits);
  const address = await app.listen({ port: opts.port ?? config.serving.port, host });
  process.stderr.write(`${servingBanner(address, app.almanac)}\n`);
  if ((await import('./console-assets.ts')).consoleBuilt()) process.stderr.write(`almanac console on ${address}/ (sign in with an API key)\n`);
  const metrics = config.serving.metricsAddress === undefined ? undefined : await startMetricsListener(config.serving.metricsAddress, deps.metrics, config.serving.limits);
  return { app, url: address, ...(metrics ? { metrics } : {}) };
}

/** GET /metrics alone, on its own address (e.g. 127.0.0.1:9464, reachable by Prometheus only). */
async function startMetricsListener(address: string, m: Metrics, limits: ServerLimits): Promise<FastifyInstance> {
  const { default: Fastify } = await import('fastify');
  const i = address.lastIndexOf(':');
  const app = Fastify({ logger: false }) as unknown as FastifyInstance;
  registerMetricsRoute(app, m, 'open');
  applyServerLimits(app.server, limits);
  const url = await app.listen({ host: address.slice(0, i), port: Number(address.slice(i + 1)) });
  process.stderr.write(`almanac metrics on ${url}/metrics\n`);
  return app;
}

async function rateLimitClient(config: AlmanacConfig): Promise<RedisClient> {
  const { openRedis, connectRedis } = await import('../core/redis-connection.ts');
  const client = openRedis({ url: config.tenants.redis.url as string, cluster: config.tenants.redis.cluster, name: 'redis rate limiter' });
  await connectRedis(client, 'redis rate limiter');
  return client;
}

/** The start-up line: the model and index served; a champion that failed to load says why (not "train one"). */
export function servingBanner(address: string, rt: Pick<ServingRuntime, 'champion' | 'indexVersion' | 'modelLoadError'>): string {
  const version = rt.champion.version;
  const model = version !== undefined ? `v${version}`
    : rt.modelLoadError !== undefined ? `none — the champion failed to load: ${rt.modelLoadError}` : 'none yet — train one';
  return `almanac serving on ${address} (model ${model}, index ${rt.indexVersion ?? 'none yet'})`;
}

