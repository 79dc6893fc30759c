/**
 * The whole pipeline on real engines, end to end, through the real CLI and HTTP: one simulated
 * world goes through simulate → ingest → features stream → training set → train → index → serve
 * twice, once on embedded defaults and once with ALMANAC_EVENT_LOG=kafka, ALMANAC_ONLINE_STORE=redis,
 * ALMANAC_CACHE=redis, ALMANAC_VECTOR=milvus and ALMANAC_GRAPH=neo4j; the two must agree (distinct
 * events, feature rows, training set, ROC-AUC, the top patterns of the same plans). Then faults on
 * the real engines: the Kafka broker killed (SIGKILL) while the stream job runs, Neo4j and Milvus
 * stopped while serving. A `*.sequential.test.ts` runs alone, after every other suite (see
 * vitest.config.ts): it stops and kills the engines the contract suites use.
 *
 * Runs when KAFKA_BROKERS, REDIS_URL, MILVUS_ADDRESS and NEO4J_URI are set; the fault part needs the
 * engines started by deploy/local (their scripts stop, kill and resume them).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createOfflineStore } from '../../features/offline-store/create-offline-store.ts';
import { FEATURE_VIEWS } from '../../features/views/index.ts';
import { engineUrl, withoutEngine } from '../real-engines.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(REPO, 'app/bin.js');
const LOCAL = path.join(REPO, 'deploy/local');
const urls = { kafka: engineUrl('kafka'), redis: engineUrl('redis'), milvus: engineUrl('milvus'), neo4j: engineUrl('neo4j') };
const missing = (Object.keys(urls) as (keyof typeof urls)[]).filter((k) => !urls[k]);

type Json = Record<string, any>;
interface Home {
  name: string;
  dir: string;
  env: Record<string, string>;
  config: string;
  server?: ChildProcess;
  base?: string;
  /** An admin key of this home (`almanac keys create --scopes admin`): plans and touches name their client. */
  key?: string;
  /** What its server printed on stderr (kept for the message of a server that does not stop). */
  serverErr?: string;
  serverLog?: string;
}

let work: string;
let events: string;
let worldTwo: string;
let embedded: Home;
let real: Home;
let plans: Json[];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const reports: Record<string, any> = { embedded: {}, real: {} };

function almanac(home: Home, args: string[], extra: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, '--config', home.config, ...args], { env: { ...process.env, ...home.env, ...extra }, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(home: Home, args: string[]): string {
  const r = almanac(home, args);
  if (r.code !== 0) throw new Error(`[${home.name}] almanac ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

function json(home: Home, args: string[]): Json {
  const out = ok(home, args);
  try {
    return JSON.parse(out) as Json;
  } catch {
    throw new Error(`[${home.name}] almanac ${args.join(' ')} printed no JSON: ${out.slice(0, 500)}`);
  }
}

function engine(name: string, command: string): void {
  const r = spawnSync('bash', [path.join(LOCAL, `${name}.sh`), command], { encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`deploy/local/${name}.sh ${command} exited ${r.status}: ${r.stderr.slice(-2000)}`);
}

/** True when the running engine was started by deploy/local (so the fault tests can stop and resume it). */
function ours(name: string): boolean {
  const r = spawnSync('bash', [path.join(LOCAL, `${name}.sh`), 'status'], { encoding: 'utf8' });
  return r.status === 0 && /running, answering/.test(r.stdout);
}

async function serve(home: Home): Promise<string> {
  home.key ??= ok(home, ['keys', 'create', '--scopes', 'admin']).trim();
  const child = spawn(process.execPath, [BIN, '--config', home.config, 'serve', '--port', '0'], { env: { ...process.env, ...home.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  home.server = child;
  // its log (pino, on stdout): kept, last lines only, for the message of a server that does not stop
  child.stdout?.on('data', (d: Buffer) => { home.serverLog = ((home.serverLog ?? '') + d.toString()).slice(-20_000); });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      home.serverErr = err;
      const m = /serving on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`[${home.name}] serve exited ${code}: ${err.slice(-2000)}`)));
  });
}

/** SIGTERM, then the exit; a process still running `withinMs` later is killed and the stop fails with its stderr's tail. */
async function stop(child: ChildProcess | undefined, stderr?: () => string | undefined, withinMs = 40_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<boolean>((r) => child.once('exit', () => r(true)));
  const started = Date.now();
  child.kill('SIGTERM');
  const inTime = await Promise.race([exited, new Promise<boolean>((r) => setTimeout(() => r(false), withinMs))]);
  if (inTime) {
    // a store that did not close in its budget, or a handle left open: logged, so a CI run shows which
    const slow = (stderr?.() ?? '').split('\n').filter((l) => /did not close cleanly|still open after|exiting without waiting/.test(l));
    if (slow.length > 0) console.warn(`pid ${child.pid} stopped in ${Date.now() - started} ms, exit ${child.exitCode}:\n${slow.join('\n')}`);
    return;
  }
  child.kill('SIGKILL');
  await exited;
  throw new Error(`pid ${child.pid} did not exit within ${Date.now() - started} ms of SIGTERM; its stderr ended: ${(stderr?.() ?? '').slice(-3000)}`);
}

const post = async (home: Home, route: string, body: unknown): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${home.base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${home.key}` }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
};
const getJson = async (home: Home, route: string): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${home.base}${route}`, { headers: { authorization: `Bearer ${home.key}` } });
  return { status: res.status, body: (await res.json()) as Json };
};

/** Plans built from the world's campaigns: one per campaign of the first few clients, with that campaign's audience. */
async function plansOf(file: string, count: number): Promise<Json[]> {
  const campaigns = new Map<string, Json>();
  const audience = new Map<string, Json>();
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const e = JSON.parse(line) as Json;
    if (e.type === 'campaign' && !campaigns.has(e.campaign_id)) campaigns.set(e.campaign_id, e);
    else if (e.type === 'touch' && !audience.has(e.campaign_id)) audience.set(e.campaign_id, e.audience);
  }
  return [...campaigns.values()].filter((c) => audience.has(c.campaign_id)).slice(0, count).map((c) => ({
    client_id: c.client_id, industry: c.industry, objective: c.objective, channel: c.channel, budget: c.budget,
    start: new Date(c.start).toISOString(), end: new Date(c.end).toISOString(), attributes: c.attributes ?? {}, audience: [audience.get(c.campaign_id)],
  }));
}

/** Every offline feature row of a home, per view, in a canonical order. */
async function offlineRows(home: Home): Promise<Record<string, string[]>> {
  const config = loadConfig({ env: { ...home.env } });
  const store = await createOfflineStore(config);
  try {
    const out: Record<string, string[]> = {};
    for (const view of FEATURE_VIEWS) {
      out[view.name] = (await store.scan(view.name)).map((r) => JSON.stringify([r.entity, r.timestamp, r.values])).sort();
    }
    return out;
  } finally {
    await store.close();
  }
}

/** Clears what a previous run of this test left in the shared engines: the events topic, its group, the graph. */
async function resetEngines(): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ clientId: 'almanac-e2e-reset', brokers: (urls.kafka as string).split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteGroups(['almanac-features']).catch(() => undefined);
    if ((await admin.listTopics()).includes('almanac.events')) {
      await admin.deleteTopics({ topics: ['almanac.events'], timeout: 30_000 });
      await vi.waitFor(async () => expect(await admin.listTopics()).not.toContain('almanac.events'), { timeout: 30_000, interval: 250 });
    }
  } finally {
    await admin.disconnect();
  }
  const neo4j = (await import('neo4j-driver')).default;
  const driver = neo4j.driver(urls.neo4j as string, neo4j.auth.basic(process.env.NEO4J_USER ?? 'neo4j', process.env.NEO4J_PASSWORD ?? 'almanac-dev'));
  try {
    await driver.executeQuery('MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS');
  } catch {
    await driver.executeQuery('MATCH (n) DETACH DELETE n');
  } finally {
    await driver.close();
  }
}

function makeHome(name: string, realEngines: boolean, runId: string): Home {
  const dir = path.join(work, name);
  const config = path.join(work, `${name}.json`);
  const file: Json = { serving: { reloadIntervalMs: 300, timeouts: { graph: 3000, vector: 3000, onlineStore: 1000 } } };
  if (realEngines) {
    file.onlineStore = { redis: { keyPrefix: `e2e-${runId}:` } };
    file.cache = { redis: { keyPrefix: `e2e-${runId}:cache:` } };
    file.vector = { milvus: { consistency: 'Strong' } };
  }
  writeFileSync(config, JSON.stringify(file));
  const env: Record<string, string> = { ALMANAC_HOME: dir, ALMANAC_FSYNC: 'none', ALMANAC_LOG_LEVEL: 'warn' };
  if (realEngines) {
    Object.assign(env, {
      ALMANAC_EVENT_LOG: 'kafka', KAFKA_BROKERS: urls.kafka, ALMANAC_ONLINE_STORE: 'redis', ALMANAC_CACHE: 'redis', REDIS_URL: urls.redis,
      ALMANAC_VECTOR: 'milvus', MILVUS_ADDRESS: urls.milvus, ALMANAC_GRAPH: 'neo4j', NEO4J_URI: urls.neo4j,
    });
  }
  return { name, dir, env, config };
}

/** The demo's chain on one home; keeps each step's report. */
function pipeline(home: Home): void {
  const r = reports[home.name];
  r.ingest = json(home, ['ingest', events, '--json']);
  r.stream = json(home, ['features', 'stream', '--until-caught-up']);
  r.trainingSet = json(home, ['features', 'training-set']);
  r.train = json(home, ['train', '--epochs', '4', '--quiet', '--json']);
  r.index = json(home, ['index', '--json']);
}

if (missing.length > 0) {
  for (const e of missing) withoutEngine(`real-engine pipeline (${e})`, e);
} else {
  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'almanac-real-e2e-'));
    const runId = path.basename(work).slice(-6);
    const sim = path.join(work, 'sim');
    const simulate = ['simulate', '--out', sim, '--seed', '3', '--clients', '6', '--clients-per-industry', '3', '--campaigns', '18', '--days', '14', '--touches-per-day', '40', '--quiet'];
    embedded = makeHome('embedded', false, runId);
    real = makeHome('real', true, runId);
    ok(embedded, simulate);
    ok(embedded, ['simulate', '--out', path.join(work, 'sim2'), '--seed', '4', '--clients', '4', '--clients-per-industry', '3', '--campaigns', '8', '--days', '7', '--touches-per-day', '60', '--start', '2024-01-16', '--quiet']);
    events = path.join(sim, 'events.jsonl');
    worldTwo = path.join(work, 'sim2', 'events.jsonl');
    plans = await plansOf(events, 8);
    await resetEngines();
    pipeline(embedded);
    pipeline(real);
    embedded.base = await serve(embedded);
    real.base = await serve(real);
  }, 600_000);

  afterAll(async () => {
    const stopped = await Promise.allSettled([stop(embedded?.server, () => `${embedded.serverErr}\nlog: ${embedded.serverLog}`), stop(real?.server, () => `${real.serverErr}\nlog: ${real.serverLog}`)]);
    if (work) rmSync(work, { recursive: true, force: true });
    // a server must stop on SIGTERM (a deployment's rollout waits for it)
    for (const s of stopped) if (s.status === 'rejected') throw s.reason;
  }, 120_000);

  describe('the pipeline on Kafka, Redis, Milvus and Neo4j agrees with embedded defaults', () => {
    it('ingests the same events; the stream job sees the same distinct events and writes the same feature rows', async () => {
      const [e, r] = [reports.embedded, reports.real];
      // The embedded log drops repeated event ids at append (idempotent-ids); Kafka cannot, so the
      // stream job drops them instead: the distinct events must be the same.
      expect(e.ingest.rejectedTotal).toBe(0);
      expect(r.ingest.rejectedTotal).toBe(0);
      expect(r.ingest.accepted).toBe(e.ingest.accepted + e.ingest.duplicates);
      expect(r.stream.stats.events).toBe(e.stream.stats.events);
      expect(r.stream.stats.events).toBe(e.ingest.accepted);
      expect(r.stream.stats.duplicates).toBe(e.ingest.duplicates);
      expect(r.stream.stats.rows).toBe(e.stream.stats.rows);
      expect(r.stream.stats.late).toEqual(e.stream.stats.late);
      const [eRows, rRows] = [await offlineRows(embedded), await offlineRows(real)];
      expect(Object.values(rRows).reduce((n, l) => n + l.length, 0)).toBeGreaterThan(100);
      expect(rRows).toEqual(eRows);
    });

    it('builds the same training set and trains a model with the same holdout ROC-AUC', () => {
      const [e, r] = [reports.embedded, reports.real];
      expect(r.trainingSet.id).toBe(e.trainingSet.id);
      const examples = (h: Json) => readFileSync(path.join(h.trainingSet.dir, 'examples.jsonl'), 'utf8');
      expect(examples(r)).toBe(examples(e));
      expect(Math.abs(r.train.metrics.roc_auc - e.train.metrics.roc_auc)).toBeLessThanOrEqual(0.01);
      expect(r.train.aliases).toContain('champion');
      expect(r.index.patterns).toBe(e.index.patterns);
      expect(r.index.visibleGlobal).toBe(e.index.visibleGlobal);
    });

    it('returns the same top patterns for the same plans, with evidence from Neo4j', async () => {
      // The first searches warm Neo4j's driver and query plans up (a cold first evidence query can
      // take longer than the graph timeout, and is then served vector_only, as it should be).
      await vi.waitFor(async () => {
        expect((await post(real, '/v1/patterns/search', { plan: { ...plans[0], budget: Math.random() * 1e5 }, top_n: 5 })).body.served_by).toBe('full');
      }, { timeout: 30_000, interval: 250 });
      let compared = 0;
      for (const plan of plans) {
        const [e, r] = await Promise.all([post(embedded, '/v1/patterns/search', { plan, top_n: 5 }), post(real, '/v1/patterns/search', { plan, top_n: 5 })]);
        expect(r.status).toBe(200);
        expect(e.status).toBe(200);
        expect(r.body.served_by).toBe('full');
        // Pattern ids are `<collection>.<pattern>`; each home's build has its own collection name.
        const id = (p: Json) => String(p.pattern_id).replace(/^patterns_\d+\./, '');
        const ids = (res: { body: Json }, match?: string) => (res.body.patterns as Json[]).filter((p) => match === undefined || p.match === match).map(id);
        // the patterns the plan falls under come from the same catalogue lookup and rank exactly alike;
        // the neighbours after them come from each engine's ANN (HNSW vs Milvus) over many near-equal
        // similarities, so which of them fill the top 5 differs; a pattern both return has the same figures
        expect(ids(r, 'applies')).toEqual(ids(e, 'applies'));
        expect(ids(r)[0]).toBe(ids(e)[0]);
        for (const p of r.body.patterns as Json[]) {
          const q = (e.body.patterns as Json[]).find((x) => id(x) === id(p));
          if (q === undefined) continue;
          expect(p.distinct_clients).toBe(q.distinct_clients);
          expect(p.lift).toBeCloseTo(q.lift, 3);
          expect(p.similarity).toBeCloseTo(q.similarity, 3);
          expect(p.score).toBeCloseTo(q.score, 3);
        }
        compared += r.body.patterns.length;
      }
      expect(compared).toBeGreaterThan(0);
    });

    it('serves every route on the real engines', async () => {
      const plan = plans[0] as Json;
      const touch = { client_id: plan.client_id, campaign_id: (await firstCampaignOf(plan.client_id)) as string, audience: plan.audience[0], ts: plan.start };
      const [pe, pr] = await Promise.all([post(embedded, '/v1/predict', { touch }), post(real, '/v1/predict', { touch })]);
      expect(pr.status).toBe(200);
      expect(pr.body.probability).toBeCloseTo(pe.body.probability, 5);
      const planPredict = await post(real, '/v1/predict', { plan });
      expect(planPredict.status).toBe(200);
      expect(planPredict.body.audience).toHaveLength(1);
      // Inside world one's time range: a far-later event would move its partition's watermark and make
      // world two's events late there; the two logs place clients in different partitions (Kafka's
      // murmur2 vs the embedded log's hash), so they would drop different events.
      const event = { type: 'client', event_id: 'real-e2e-client-1', client_id: 'real-e2e-client', ts: '2024-01-10T00:00:00Z', industry: 'retail' };
      // Both homes take it, so their logs (and the fault test's feature rows) stay the same.
      expect((await post(real, '/v1/events', { events: [event] })).body).toMatchObject({ accepted: 1 });
      expect((await post(embedded, '/v1/events', { events: [event] })).body).toMatchObject({ accepted: 1 });
      const bad = await post(real, '/v1/predict', { plan: { ...plan, audience: [{}] } });
      expect(bad.status).toBe(400);
      expect(bad.body.details.issues[0].path).toBe('plan.audience.0.segment');
      const models = await getJson(real, '/v1/models');
      expect(models.body.serving.model_version).toBe(1);
      const ready = await getJson(real, '/health/ready');
      expect(ready.status).toBe(200);
      for (const dep of ['onlineStore', 'eventLog', 'vector', 'graph', 'cache']) expect(ready.body.dependencies[dep].state, dep).toBe('up');
      expect(ready.body.dependencies.cache.detail).toBe('redis');
      expect((await getJson(real, '/health/live')).body.status).toBe('live');
      expect(await (await fetch(`${real.base}/metrics`, { headers: { authorization: `Bearer ${real.key}` } })).text()).toMatch(/almanac_http_requests_total\{route="\/v1\/patterns\/search"/);
      expect(Object.keys((await getJson(real, '/openapi.json')).body.paths)).toContain('/v1/predict');
    });
  });

  describe('faults on the real engines', () => {
    it('loses and double-counts no event when the Kafka broker is killed (SIGKILL) while the stream job runs', async (ctx) => {
      if (!ours('kafka')) return ctx.skip();
      // The embedded twin takes world two plainly.
      ok(embedded, ['ingest', worldTwo]);
      ok(embedded, ['features', 'stream', '--until-caught-up']);
      // Real: a long-running stream job; world two arrives; the broker is killed mid-run and resumed.
      ok(real, ['ingest', worldTwo]);
      const job = spawn(process.execPath, [BIN, '--config', real.config, 'features', 'stream', '--max-records', '200'], { env: { ...process.env, ...real.env }, stdio: ['ignore', 'ignore', 'pipe'] });
      let jobErr = '';
      job.stderr?.on('data', (d: Buffer) => (jobErr += d.toString()));
      await vi.waitFor(() => expect(jobErr).toMatch(/features stream/), { timeout: 60_000, interval: 100 });
      engine('kafka', 'kill');
      await new Promise((r) => setTimeout(r, 1000));
      engine('kafka', 'resume');
      await stop(job, () => jobErr, 120_000);
      // A restarted job continues from its committed offsets and checkpoint. The broker keeps the
      // stopped job's membership until its session times out; the new job is refused until then.
      let caughtUp: Json = {};
      await vi.waitFor(() => {
        const r = almanac(real, ['features', 'stream', '--until-caught-up']);
        expect(r.code, r.stderr).toBe(0);
        caughtUp = JSON.parse(r.stdout) as Json;
      }, { timeout: 120_000, interval: 2000 });
      expect(caughtUp.lag).toBe(0);
      const [rRows, eRows] = [await offlineRows(real), await offlineRows(embedded)];
      const keyOf = (row: string) => row.slice(0, row.indexOf(',{'));
      const diff = Object.fromEntries(Object.keys(eRows).map((v) => {
        const [a, b] = [new Set((rRows[v] ?? []).map(keyOf)), new Set((eRows[v] ?? []).map(keyOf))];
        return [v, { real: a.size, embedded: b.size, onlyReal: [...a].filter((k) => !b.has(k)).slice(0, 3), onlyEmbedded: [...b].filter((k) => !a.has(k)).slice(0, 3) }];
      }));
      expect(rRows, JSON.stringify({ caughtUp: caughtUp.stats, diff })).toEqual(eRows);
    }, 300_000);

    it('serves vector_only while Neo4j is down and full again after it is back; /health/ready names the graph', async (ctx) => {
      if (!ours('neo4j')) return ctx.skip();
      await outage({ engine: 'neo4j', dependency: 'graph', servedBy: 'vector_only', plan: { ...(plans[1] as Json), budget: 12_345 } });
    }, 300_000);

    it('serves popular_patterns while Milvus is down and full again after it is back; /health/ready names the vector index', async (ctx) => {
      if (!ours('milvus')) return ctx.skip();
      await outage({ engine: 'milvus', dependency: 'vector', servedBy: 'popular_patterns', plan: { ...(plans[2] as Json), budget: 23_456 } });
    }, 300_000);
  });
}

/**
 * Stops an engine while the real server serves: searches (each a cache miss) fall back to
 * `servedBy` and readiness names `dependency` as down; after `resume` they are `full` again and the
 * dependency is up.
 */
async function outage(o: { engine: string; dependency: string; servedBy: string; plan: Json }): Promise<void> {
  const search = () => post(real, '/v1/patterns/search', { plan: { ...o.plan, budget: o.plan.budget + Math.random() }, top_n: 3 });
  engine(o.engine, 'stop');
  try {
    await vi.waitFor(async () => {
      const r = await search();
      expect(r.status).toBe(200);
      expect(r.body.served_by).toBe(o.servedBy);
      expect(r.body.patterns.length).toBeGreaterThan(0);
    }, { timeout: 30_000, interval: 500 });
    expect((await getJson(real, '/health/ready')).body.dependencies[o.dependency].state).toBe('down');
  } finally {
    engine(o.engine, 'resume');
  }
  await vi.waitFor(async () => {
    expect((await search()).body.served_by).toBe('full');
    expect((await getJson(real, '/health/ready')).body.dependencies[o.dependency].state).toBe('up');
  }, { timeout: 90_000, interval: 1000 });
}

/** A campaign id of the client in world one (for a touch to predict). */
async function firstCampaignOf(client: string): Promise<string | undefined> {
  for await (const line of createInterface({ input: createReadStream(events), crlfDelay: Infinity })) {
    const e = JSON.parse(line) as Json;
    if (e.type === 'campaign' && e.client_id === client) return e.campaign_id as string;
  }
  return undefined;
}

