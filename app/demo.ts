/**
 * `almanac demo`: simulate a small world → ingest → features (stream until caught up) → training
 * set → train → register/promote → index patterns → serve, with progress per step; prints example
 * requests with real ids and the demo's API keys (an admin key, a key per client). Re-running is safe: ingest is idempotent (the
 * same seed gives the same event ids), training registers a new model version.
 *
 * `buildDemo` is the same pipeline as a function (the serving benchmark and end-to-end tests use it).
 */
import { chmodSync, createReadStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import { action, commandConfig, intOption, PORT_MAX } from '../core/cli/command.ts';
import { homePath, type AlmanacConfig } from '../core/config.ts';
import { timestampSchema } from '../core/domain/timestamp.ts';
import { AlmanacError, invalidInput } from '../core/errors.ts';
import { progressBarFits } from '../core/progress.ts';
import type { SimulationOptions } from '../pipelines/simulator/simulation-options.ts';

export interface DemoOptions {
  seed?: number;
  quiet?: boolean;
  /** Simulation size (default: the simulator's DEMO_WORLD). */
  world?: { clients?: number; campaigns?: number; days?: number; touchesPerDay?: number };
  /** Maximum training epochs (default DEMO_EPOCHS; early stopping usually ends sooner). */
  epochs?: number;
  /**
   * Epoch ms the simulated world ends at (it covers the `days` before). Default: the simulator's
   * fixed DEMO_WORLD period, so that benchmarks and tests keep their results; `almanac demo`
   * passes the end of the world already in the home, else now (demoWorldEnd).
   */
  end?: number;
  /** Called as each step starts and as it ends (the memory benchmark reads the peak RSS of each step). */
  onStep?: (step: string, phase: 'start' | 'done') => void;
}

export interface DemoResult {
  eventsFile: string;
  events: number;
  accepted: number;
  modelVersion: number;
  champion: number;
  promoted: boolean;
  patterns: number;
  examples: DemoExamples;
  /** The simulation options the world was built with (seed, size, start as epoch ms): the live stream continues it. */
  world: SimulationOptions & { seed: number; start: number; days: number };
  /** The demo's keys: an admin key and a tenant key per registered client (also in `<home>/demo/keys.json`, mode 0600). */
  keys: DemoKeys;
}

export interface DemoKeys {
  admin: string;
  clients: Record<string, string>;
}

export interface DemoExamples {
  touch: { client_id: string; campaign_id: string; ts: unknown; channel?: string; audience: Record<string, unknown>; attributes?: Record<string, unknown> };
  plan: Record<string, unknown>;
}

/** The demo's epoch cap: on the demo world the best validation epoch comes well before it. */
export const DEMO_EPOCHS = 10;
/** Model families the demo trains (selection on validation between them, as in `almanac train`). */
export const DEMO_FAMILIES = ['logistic', 'gbdt'] as const;
/**
 * Validation windows the demo selects on: one (the latest 15% of the training part). `almanac train`
 * and the retrain DAG average three expanding windows (TIME_FOLDS), which on the demo world triples
 * the training step (134 s against ~45 s) for the same choice of family.
 */
export const DEMO_FOLDS = 1;

type Step = <T>(name: string, fn: () => Promise<T>, summary?: (r: T) => string) => Promise<T>;

function stepper(quiet: boolean, total: number, onStep?: DemoOptions['onStep']): Step {
  let n = 0;
  const started = Date.now();
  return async (name, fn, summary) => {
    n++;
    const t0 = Date.now();
    if (!quiet) process.stderr.write(`[demo ${n}/${total}] ${name} …\n`);
    onStep?.(name, 'start');
    const result = await fn();
    onStep?.(name, 'done');
    if (!quiet) process.stderr.write(`[demo ${n}/${total}] ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s${summary ? ` — ${summary(result)}` : ''} (total ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    return result;
  };
}

function promotionLine(version: number, r: { promoted: boolean; champion: number | undefined; reason: string }): string {
  if (r.champion === version) return `v${version} is champion${r.promoted ? '' : ` (${r.reason})`}`;
  return `v${version} kept as challenger (${r.reason}); ${r.champion === undefined ? 'no champion yet' : `v${r.champion} stays champion`}`;
}

export async function buildDemo(config: AlmanacConfig, options: DemoOptions = {}): Promise<DemoResult> {
  const quiet = options.quiet ?? false;
  const step = stepper(quiet, 8, options.onStep);
  // on a terminal each step draws its own progress bar; elsewhere the step lines are enough
  const barsQuiet = quiet || !progressBarFits(process.stderr);
  const { DEMO_WORLD, DAY_MS, resolveSimulationOptions } = await import('../pipelines/simulator/simulation-options.ts');
  const sized = { ...DEMO_WORLD, ...options.world, seed: options.seed ?? DEMO_WORLD.seed };
  const start = options.end === undefined ? resolveSimulationOptions(sized).start : options.end - sized.days * DAY_MS;
  const world = { ...sized, start };
  const kept = storedDemoWorld(config, world.seed);
  if (kept !== undefined && kept.start !== start) {
    throw invalidInput(`this home already holds the demo world of seed ${world.seed}, which ends ${new Date(kept.end).toISOString()}; a world ending ${new Date(start + world.days * DAY_MS).toISOString()} would reuse its event ids. Pass --end ${new Date(kept.end).toISOString()}, another --seed, or a new ALMANAC_HOME`, [
      { path: 'end', reason: `must be ${new Date(kept.end).toISOString()} in this home for seed ${world.seed}` },
    ]);
  }
  const dir = demoWorldDir(config, world.seed);
  const sim = await step('simulate', async () => {
    const { writeSimulation } = await import('../pipelines/simulator/write-simulation.ts');
    return writeSimulation({ ...world, out: dir, quiet: barsQuiet });
  }, (r) => `${r.events} events in ${path.relative(process.cwd(), dir) || dir}`);
  const eventsFile = path.join(dir, 'events.jsonl');
  const ingest = await step('ingest', async () => {
    const { ingestFiles } = await import('../pipelines/ingest/ingest-events.ts');
    return ingestFiles(config, [eventsFile], { quiet: barsQuiet });
  }, (r) => `${r.accepted} accepted, ${r.duplicates} duplicates, ${r.rejected.length} rejected`);
  await step('features (stream until caught up)', async () => {
    const { runStreamJob } = await import('../features/jobs/stream-job.ts');
    return runStreamJob(config, { untilCaughtUp: true, quiet: barsQuiet });
  }, (r) => `${r.records} records, ${r.rowsWritten} feature rows`);
  const { set } = await step('training set', async () => {
    const { buildTrainingSet } = await import('../features/training-set-builder.ts');
    return buildTrainingSet(config, { quiet: barsQuiet });
  }, (r) => `${r.set.manifest.rows} labelled touches, ${r.set.manifest.positives} conversions`);
  const trained = await step('train + register', async () => {
    const { trainAndRegister } = await import('../models/training/train-and-register.ts');
    // the demo trains the two fast families (the MLP's 50–100 s would double the demo; patterns no
    // longer need its embedding); `almanac train` and the retrain DAG train all three
    return trainAndRegister(config, { trainingSet: set, quiet: true, seed: world.seed, epochs: options.epochs ?? DEMO_EPOCHS, families: DEMO_FAMILIES, folds: DEMO_FOLDS });
  }, (r) => `model v${r.version.version}: roc_auc ${r.metrics.roc_auc.toFixed(3)}, pr_auc ${r.metrics.pr_auc.toFixed(3)}`);
  const promotion = await step('promote', () => promoteThroughGate(config, trained.version.version), (r) => promotionLine(trained.version.version, r));
  const index = await step('index patterns', async () => {
    const { indexWithChampion } = await import('../embeddings/patterns/index-with-champion.ts');
    return indexWithChampion(config, { trainingSet: set, quiet: barsQuiet });
  }, (r) => `${r.global} cross-client (${r.visibleGlobal} visible at k = ${r.minClients}) + ${r.private} private success patterns, ${r.anti} anti-patterns, ${r.tested} combinations tested, in ${r.collection}`);
  const keys = await step('keys', () => demoKeys(config), (r) => `an admin key and ${Object.keys(r.clients).length} client keys in ${path.relative(process.cwd(), demoKeysFile(config)) || demoKeysFile(config)}`);
  return {
    eventsFile, events: sim.events, accepted: ingest.accepted, modelVersion: trained.version.version,
    champion: index.model, promoted: promotion.promoted, patterns: index.patterns, examples: await demoExamples(eventsFile), keys, world,
  };
}

const demoWorldDir = (config: AlmanacConfig, seed: number): string => homePath(config, 'demo', `world-${seed}`);

/** The period of the demo world of `seed` already simulated in this home (from its ground truth), if any. */
export function storedDemoWorld(config: AlmanacConfig, seed: number): { start: number; end: number } | undefined {
  const file = path.join(demoWorldDir(config, seed), 'ground-truth.json');
  if (!existsSync(file)) return undefined;
  try {
    const { period } = JSON.parse(readFileSync(file, 'utf8')) as { period?: { start?: unknown; end?: unknown } };
    return typeof period?.start === 'number' && typeof period.end === 'number' ? { start: period.start, end: period.end } : undefined;
  } catch {
    return undefined; // unreadable: simulated anew
  }
}

/**
 * Where `almanac demo`'s world ends: `requested` (--end) when given; else the end of the world this
 * home already holds for the seed (a re-run keeps its events, model and keys); else now, to the minute.
 */
export function demoWorldEnd(config: AlmanacConfig, seed: number, requested?: number, now = Date.now()): number {
  return requested ?? storedDemoWorld(config, seed)?.end ?? Math.floor(now / 60_000) * 60_000;
}

/** Parses `--end`: 'now', an ISO 8601 date(-time) or epoch ms. */
export function parseEndOption(value: string): number {
  if (value === 'now') return Math.floor(Date.now() / 60_000) * 60_000;
  const parsed = timestampSchema.safeParse(/^\d+$/.test(value) ? Number(value) : value);
  if (!parsed.success) throw new InvalidArgumentError(`option --end: ${parsed.error.issues[0]?.message ?? 'invalid'} (or 'now')`);
  return parsed.data;
}

export const demoKeysFile = (config: AlmanacConfig): string => homePath(config, 'demo', 'keys.json');

/**
 * An admin key and a tenant key (predict, search, events:write) per registered client — the clients
 * ingest registered from the world's client events. Kept in `<home>/demo/keys.json` (0600) and
 * reused by a re-run while they are still active; a missing or revoked one is made anew.
 */
export async function demoKeys(config: AlmanacConfig): Promise<DemoKeys> {
  const [{ withTenantStore }, { issueKey }, { TENANT_SCOPES, parseApiKey, keyUnusable }, { writeFileAtomic }] = await Promise.all([
    import('../core/tenants/create-tenant-store.ts'), import('../core/tenants/key-issuance.ts'), import('../core/tenants/api-key.ts'), import('../core/atomic-file.ts'),
  ]);
  const file = demoKeysFile(config);
  let previous: DemoKeys = { admin: '', clients: {} };
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')) as DemoKeys;
  } catch {
    // first run (or an unreadable file): new keys
  }
  const keys = await withTenantStore(config, async (store) => {
    const usable = async (secret: string | undefined): Promise<boolean> => {
      const id = secret === undefined ? undefined : parseApiKey(secret)?.id;
      const record = id === undefined ? undefined : await store.getKey(id);
      return record !== undefined && keyUnusable(record, Date.now()) === undefined;
    };
    const out: DemoKeys = { admin: previous.admin, clients: {} };
    if (!(await usable(out.admin))) out.admin = (await issueKey(store, { scopes: ['admin'], name: 'demo admin' })).secret;
    for (const { client_id } of await store.listClients()) {
      const old = previous.clients[client_id];
      out.clients[client_id] = old !== undefined && (await usable(old)) ? old : (await issueKey(store, { client: client_id, scopes: [...TENANT_SCOPES], name: `demo ${client_id}` })).secret;
    }
    return out;
  });
  await writeFileAtomic(file, `${JSON.stringify(keys, null, 2)}\n`);
  chmodSync(file, 0o600);
  return keys;
}

/**
 * The retrain DAG's evaluate + promote steps (dags/retrain-steps.ts) with the configured gate. A
 * rejected challenger is not an error here: the demo goes on with the champion it has.
 */
async function promoteThroughGate(config: AlmanacConfig, version: number): Promise<{ promoted: boolean; champion: number | undefined; reason: string }> {
  const [{ createModelRegistry }, { gateFromConfig }, { evaluateChallenger, promoteChallenger }] = await Promise.all([
    import('../models/registry/create-model-registry.ts'),
    import('../models/registry/promotion-gate.ts'),
    import('../dags/retrain-steps.ts'),
  ]);
  const registry = await createModelRegistry(config);
  const gate = gateFromConfig(config);
  try {
    // Re-running the demo retrains the same model on the same events; the registry returns the
    // existing version, which may already be champion: promoteChallenger then changes nothing.
    return await promoteChallenger(registry, await evaluateChallenger(registry, version, gate), gate);
  } catch (e) {
    if (!(e instanceof AlmanacError) || e.code !== 'ALMANAC_ERR_MODEL_GATE_FAILED') throw e;
    return { promoted: false, champion: (await registry.resolve('champion'))?.version, reason: e.message };
  }
}

/**
 * A real campaign (with its client) and one of its touches, read from the simulated events: the
 * last touch of the world of a campaign that had run for two days by then (so that its campaign's
 * day windows were already emitted: no feature is missing), else the last touch of the world.
 */
export async function demoExamples(eventsFile: string): Promise<DemoExamples> {
  const lines = createInterface({ input: createReadStream(eventsFile), crlfDelay: Infinity });
  const campaigns = new Map<string, Record<string, unknown>>();
  let touch: Record<string, unknown> | undefined;
  let settled: Record<string, unknown> | undefined;
  for await (const line of lines) {
    const e = JSON.parse(line) as Record<string, unknown>;
    if (e.type === 'campaign') campaigns.set(String(e.campaign_id), e);
    else if (e.type === 'touch' && campaigns.has(String(e.campaign_id))) {
      touch = e;
      const started = Number(campaigns.get(String(e.campaign_id))?.start);
      if (Number(e.ts) - started >= 2 * 86_400_000) settled = e;
    }
  }
  touch = settled ?? touch;
  const campaign = touch ? campaigns.get(String(touch.campaign_id)) : undefined;
  if (!campaign || !touch) throw new AlmanacError('ALMANAC_ERR_INPUT_NOT_FOUND', `no campaign with touches in ${eventsFile}`);
  const iso = (v: unknown) => (typeof v === 'number' ? new Date(v).toISOString() : v);
  const ts = typeof touch.ts === 'number' ? touch.ts : Date.parse(String(touch.ts));
  return {
    touch: { client_id: String(touch.client_id), campaign_id: String(touch.campaign_id), ts: iso(touch.ts), audience: touch.audience as Record<string, unknown>, attributes: (touch.attributes ?? {}) as Record<string, unknown> },
    plan: {
      client_id: campaign.client_id, industry: campaign.industry, objective: campaign.objective, channel: campaign.channel, budget: campaign.budget,
      start: new Date(ts).toISOString(), end: new Date(ts + 14 * 86_400_000).toISOString(), attributes: campaign.attributes ?? {}, audience: [touch.audience],
    },
  };
}

export function curlExamples(base: string, examples: DemoExamples, keys: DemoKeys): string {
  const tenant = keys.clients[examples.touch.client_id] ?? '';
  const auth = (secret: string) => `-H 'Authorization: Bearer ${secret}'`;
  const curl = (route: string, body: unknown) => `curl -s ${base}${route} ${auth(tenant)} -H 'content-type: application/json' -d '${JSON.stringify(body)}'`;
  // the tenant comes from the key: the bodies leave client_id out
  const { client_id: _touchClient, ...touch } = examples.touch;
  const { client_id: _planClient, ...plan } = examples.plan;
  return [
    `# client ${examples.touch.client_id}'s key (every client has one; all are in the home's demo/keys.json)`,
    '# success probability of a touch of one of its campaigns',
    curl('/v1/predict', { touch }),
    '# success probability of a campaign plan (mean over its audience)',
    curl('/v1/predict', { plan }),
    '# the most similar proven success patterns for the plan',
    curl('/v1/patterns/search', { plan, top_n: 3 }),
    '# operator routes take the admin key',
    `curl -s ${base}/v1/models ${auth(keys.admin)} | head -c 600; echo`,
    `curl -s ${base}/health/ready ${auth(keys.admin)}`,
    `curl -s ${base}/metrics ${auth(keys.admin)} | grep almanac_http`,
  ].join('\n');
}

/** What `almanac demo` prints once it serves: the console, a key to sign in with, then the curl examples. */
export function servingNotice(url: string, result: Pick<DemoResult, 'examples' | 'keys'>, live: boolean): string {
  const client = result.examples.touch.client_id;
  return [
    '',
    `Console: ${url}/`,
    `  sign in with the admin key ${result.keys.admin}`,
    `  or client ${client}'s key ${result.keys.clients[client] ?? ''} (a tenant sees only its own data)`,
    live ? '  live: new simulated events keep flowing; the stream job updates the online features as each day window closes' : '  live stream off (--no-live)',
    '',
    'Try:',
    curlExamples(url, result.examples, result.keys),
    '',
    'Serving until Ctrl-C.',
    '',
  ].join('\n');
}

/** Registers `almanac demo`. */
export function registerDemoCommand(program: Command): void {
  program.command('demo').description('simulate → ingest → features → train → index → serve with a live stream of new events, end to end on this machine (Ctrl-C to stop)')
    .option('--no-serve', 'exit after building (do not start the server)')
    .option('--seed <n>', 'simulation seed', intOption('--seed', 0))
    .option('--port <n>', 'port to serve on (default: config serving.port)', intOption('--port', 0, PORT_MAX))
    .option('--end <when>', "when the simulated 60 days end: 'now', an ISO 8601 date(-time) or epoch ms (default: the end of the world already in this home, else now)", parseEndOption)
    .option('--live-rate <n>', 'live touches per second while serving (clicks and conversions come on top)', intOption('--live-rate', 1, 1000), 2)
    .option('--no-live', 'serve without the live stream of new events')
    .action(action(async (opts: { serve: boolean; seed?: number; port?: number; end?: number; liveRate: number; live: boolean }, cmd: Command) => {
      const config = commandConfig(cmd);
      process.stderr.write(`almanac demo: data home ${config.home} (set ALMANAC_HOME to change)\n`);
      const seed = opts.seed ?? (await import('../pipelines/simulator/simulation-options.ts')).DEMO_WORLD.seed;
      const end = demoWorldEnd(config, seed, opts.end);
      if (Date.now() - end > 2 * 86_400_000) {
        process.stderr.write(`almanac demo: the world ends ${new Date(end).toISOString()}, ${Math.floor((Date.now() - end) / 86_400_000)} days ago: predictions of now find its day windows expired (features_missing) until the live stream closes a day. A new ALMANAC_HOME gives a world that ends now.\n`);
      }
      const result = await buildDemo(config, { seed, end });
      if (!opts.serve) {
        process.stdout.write(`${JSON.stringify({ events: result.events, model: result.modelVersion, champion: result.champion, patterns: result.patterns, end: new Date(end).toISOString() })}\n`);
        return;
      }
      const { startServer } = await import('../serving/cli.ts');
      const { app, url, metrics } = await startServer(config, opts.port !== undefined ? { port: opts.port } : {});
      const live = opts.live ? await (await import('./live-demo.ts')).startLiveDemo(config, { world: result.world, touchesPerSecond: opts.liveRate }) : undefined;
      process.stdout.write(servingNotice(url, result, live !== undefined));
      const { shutDown, untilSignal } = await import('../serving/shutdown.ts');
      await untilSignal();
      process.stderr.write('almanac demo: stopping\n');
      await shutDown(app, metrics, {
        first: async () => {
          const report = await live?.stop();
          if (report) process.stderr.write(`almanac demo: live stream appended ${report.appended} events; stream job read ${report.stream.records} and wrote ${report.stream.rowsWritten} feature rows\n`);
        },
      });
    }));
}
