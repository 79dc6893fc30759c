/** `almanac serve`: the REST service on the embedded (or configured) engines, until SIGINT/SIGTERM. */
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { action, commandConfig, intOption, PORT_MAX } from '../core/cli/command.ts';
import type { AlmanacConfig } from '../core/config.ts';
import type { ServingRuntime } from './serving-runtime.ts';

export function registerServeCommands(program: Command): void {
  program.command('serve').description('serve predictions, pattern search, event intake, models, health and metrics over HTTP (Ctrl-C to stop)')
    .option('--port <n>', 'TCP port (default: config serving.port / ALMANAC_PORT, 8080; 0 = any free port)')
    .option('--host <host>', 'interface to bind (default: config serving.host / ALMANAC_HOST, 127.0.0.1)')
    .action(action(async (flags: { port?: string; host?: string }, cmd: Command) => {
      // Parsed inside the action, so that a bad port is one `almanac: ALMANAC_ERR_INPUT_INVALID: …` line and exit 2.
      const port = flags.port === undefined ? undefined : intOption('--port', 0, PORT_MAX)(flags.port);
      const config = commandConfig(cmd);
      const { app } = await startServer(config, { port, host: flags.host });
      await untilSignal();
      app.log.info('shutting down');
      await app.close();
    }));
}

/** Builds the deps and the app, listens, and prints the URL on stderr. */
export async function startServer(config: AlmanacConfig, opts: { port?: number; host?: string } = {}): Promise<{ app: FastifyInstance; url: string }> {
  const [{ buildApp }, { createServingDeps }] = await Promise.all([import('./app.ts'), import('./create-serving-deps.ts')]);
  const deps = await createServingDeps(config);
  const app = await buildApp(deps);
  const address = await app.listen({ port: opts.port ?? config.serving.port, host: opts.host ?? config.serving.host });
  process.stderr.write(`${servingBanner(address, app.almanac)}\n`);
  return { app, url: address };
}

/** The start-up line: the model and index served; a champion that failed to load says why (not "train one"). */
export function servingBanner(address: string, rt: Pick<ServingRuntime, 'champion' | 'indexVersion' | 'modelLoadError'>): string {
  const version = rt.champion.version;
  const model = version !== undefined ? `v${version}`
    : rt.modelLoadError !== undefined ? `none — the champion failed to load: ${rt.modelLoadError}` : 'none yet — train one';
  return `almanac serving on ${address} (model ${model}, index ${rt.indexVersion ?? 'none yet'})`;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done).off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done).on('SIGTERM', done);
  });
}
