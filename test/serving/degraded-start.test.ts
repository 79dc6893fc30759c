/**
 * Issue 12 item 5: degraded start instead of no start. A corrupt optional store (graph.json
 * `{"nodes":5}`, a graph.db that is not SQLite, a corrupt vector collection or catalogue) starts
 * the server in its documented fallback, with one warn line naming the file relative to the home
 * and the fix, and /health/ready showing it; a damaged log segment blocks POST /v1/events (503
 * naming the segment) and the jobs (exit non-zero, one line), not predict and search.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedEventLog } from '../../pipelines/event-log/embedded/embedded-event-log.ts';
import { appendEvents, ensureEventsTopic } from '../../pipelines/ingest/ingest-events.ts';
import { buildApp } from '../../serving/app.ts';
import { createServingDeps } from '../../serving/create-serving-deps.ts';
import type { ServingDeps } from '../../serving/serving-deps.ts';
import { bearer } from './auth-keys.ts';
import { fakeDeps, PLAN, type FakeWorld } from './serving-fakes.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

/** A logger whose warn lines are kept. */
function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk)) as { level: number; msg: string }); done(); } });
  return { logger: pino({ level: 'info' }, stream), warnings: () => lines.filter((l) => l.level === 40).map((l) => l.msg) };
}

/** The real deps of the world's home (createServingDeps, as `almanac serve` builds them), with the fake model and features. */
async function startOn(world: FakeWorld, pick: (real: ServingDeps) => Partial<ServingDeps>) {
  const real = await createServingDeps(world.config);
  cleanups.push(async () => { await real.close?.(); });
  const { logger, warnings } = capturingLogger();
  const app: FastifyInstance = await buildApp({ ...world.deps, ...pick(real) }, { poll: false, logger });
  cleanups.push(() => app.close());
  const ready = async () => (await app.inject({ method: 'GET', url: '/health/ready', headers: bearer(world.keys.admin) })).json() as { status: string; routes: Record<string, string>; dependencies: Record<string, { state: string; detail: string }> };
  const search = () => app.inject({ method: 'POST', url: '/v1/patterns/search', headers: bearer(world.keys.byClient.c1 as string), payload: { plan: PLAN } });
  const predict = () => app.inject({ method: 'POST', url: '/v1/predict', headers: bearer(world.keys.byClient.c1 as string), payload: { plan: PLAN } });
  return { real, app, ready, search, predict, warnings };
}

describe('a corrupt optional store starts the server in its fallback, loudly', () => {
  it.each([
    ['graph/graph.json is {"nodes":5}', 'graph.json', '{"nodes":5}', /cannot migrate graph file graph\/graph\.json: expected \{format: 1, nodes: \[\.\.\.\], edges: \[\.\.\.\]\}; move it away to start an empty graph/],
    ['graph/graph.db is not SQLite', 'graph.db', 'this is not a sqlite database, just text '.repeat(200), /cannot open graph database graph\/graph\.db: file is not a database; move it away and run `almanac index` to rebuild the graph/],
  ])('%s: search serves vector_only, one warn line names the file and the fix', async (_name, file, body, cause) => {
    const world = await fakeDeps();
    fs.mkdirSync(path.join(world.config.home, 'graph'), { recursive: true });
    fs.writeFileSync(path.join(world.config.home, 'graph', file), body);
    const s = await startOn(world, (real) => ({ graph: real.graph }));
    const warnings = s.warnings().filter((w) => w.includes('graph'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(cause);
    expect(warnings[0]).not.toContain(world.config.home);
    const ready = await s.ready();
    expect(ready).toMatchObject({ status: 'degraded', routes: { predict: 'up', search: 'degraded' } });
    expect(ready.dependencies.graph?.detail).toMatch(cause);
    const search = await s.search();
    expect(search.statusCode).toBe(200);
    expect(search.json().served_by).toBe('vector_only');
    expect((await s.predict()).statusCode).toBe(200);
  });

  it('a corrupt vector collection: one warn line naming vector/patterns_v1 and `almanac index`; search serves popular_patterns', async () => {
    const world = await fakeDeps();
    const dir = path.join(world.config.home, 'vector', 'patterns_v1');
    fs.writeFileSync(path.join(dir, `${fs.readFileSync(path.join(dir, 'CURRENT'), 'utf8').trim()}.state.json`), '{');
    const s = await startOn(world, (real) => ({ vectorIndex: real.vectorIndex }));
    const warnings = s.warnings().filter((w) => w.startsWith('dependency vector'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^dependency vector is down: cannot load vector collection from vector\/patterns_v1 .*; rebuild it with `almanac index`$/);
    expect((await s.search()).json().served_by).toBe('popular_patterns');
  });

  it('a corrupt catalogue: search answers 503 naming patterns/patterns_v1.json and the fix; predict goes on', async () => {
    const world = await fakeDeps();
    fs.writeFileSync(path.join(world.config.home, 'patterns', 'patterns_v1.json'), '{"collection":');
    const s = await startOn(world, () => ({}));
    expect(s.warnings().filter((w) => w.startsWith('dependency catalogue'))).toEqual([
      expect.stringMatching(/^dependency catalogue is down: cannot read pattern catalogue patterns\/patterns_v1\.json: .*; rebuild it with `almanac index`$/),
    ]);
    expect(await s.ready()).toMatchObject({ status: 'degraded', routes: { predict: 'up', search: 'down' } });
    const search = await s.search();
    expect(search.statusCode).toBe(503);
    expect(search.json().message).toMatch(/^cannot read pattern catalogue patterns\/patterns_v1\.json: .*; rebuild it with `almanac index`$/);
    expect((await s.predict()).statusCode).toBe(200);
  });
});

describe('an unreadable online snapshot', () => {
  it('starts the server not ready (503), naming online/snapshot.json and the fix, instead of not starting', async () => {
    const world = await fakeDeps();
    fs.mkdirSync(path.join(world.config.home, 'online'), { recursive: true });
    fs.writeFileSync(path.join(world.config.home, 'online', 'snapshot.json'), '{"format":1,"entries":[');
    const s = await startOn(world, (real) => ({ onlineStore: real.onlineStore }));
    const r = await s.app.inject({ method: 'GET', url: '/health/ready', headers: bearer(world.keys.admin) });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ status: 'not_ready', routes: { predict: 'down', search: 'down', events: 'up' } });
    expect(r.json().dependencies.onlineStore.detail).toMatch(/^the online store could not be opened at start: online store snapshot online\/snapshot\.json is unreadable: .*; delete it and re-run `almanac features materialize` \(then restart the server\)$/);
    expect(s.warnings().filter((w) => w.startsWith('dependency onlineStore'))).toHaveLength(1);
  });
});

describe('a damaged event-log segment blocks writes and the jobs, not predict and search', () => {
  async function damagedLog(world: FakeWorld): Promise<string> {
    const log = createEmbeddedEventLog(world.config);
    await ensureEventsTopic(log, world.config);
    await log.append('almanac.events', [1, 2, 3].map((i) => ({ id: `1:c${i}:e${i}`, key: 'c1', timestamp: Date.parse('2024-01-01'), value: '{}' })));
    await log.close();
    const root = path.join(world.config.home, 'log', 'almanac.events');
    const partition = fs.readdirSync(root).find((p) => fs.existsSync(path.join(root, p, '00000000000000000000.log')) && fs.statSync(path.join(root, p, '00000000000000000000.log')).size > 0) as string;
    const segment = path.join(root, partition, '00000000000000000000.log');
    const bytes = fs.readFileSync(segment);
    bytes[60] = (bytes[60] as number) ^ 0xff; // inside the first record's body
    fs.writeFileSync(segment, bytes);
    return `log/almanac.events/${partition}/00000000000000000000.log`;
  }

  it('the server starts: POST /v1/events is 503 naming the segment and the fix; predict and search answer; ready says events are down', async () => {
    const world = await fakeDeps();
    const shown = await damagedLog(world);
    const s = await startOn(world, (real) => ({ eventLog: real.eventLog, appendEvents }));
    const warnings = s.warnings().filter((w) => w.startsWith('dependency eventLog'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`event log segment ${shown} is corrupt at byte`);
    const events = await s.app.inject({
      method: 'POST', url: '/v1/events', headers: bearer(world.keys.admin),
      payload: { events: [{ type: 'client', event_id: 'ev-1', client_id: 'c1', ts: new Date().toISOString(), industry: 'retail' }] },
    });
    expect(events.statusCode).toBe(503);
    expect(events.json()).toMatchObject({ code: 'ALMANAC_ERR_LOG_CORRUPT', details: { file: shown } });
    expect(events.json().message).toMatch(new RegExp(`^the event log could not be opened at start: event log segment ${shown} is corrupt at byte \\d+: .*; restore it from a backup, or move it and the segments after it out of the partition folder`));
    expect((await s.predict()).statusCode).toBe(200);
    expect((await s.search()).statusCode).toBe(200);
    expect(await s.ready()).toMatchObject({ status: 'degraded', routes: { predict: 'up', search: 'up', events: 'down' } });
  });

  it('the jobs refuse with exit 1 and one line naming the segment and the fix', async () => {
    const world = await fakeDeps();
    const shown = await damagedLog(world);
    const input = path.join(world.config.home, 'in.jsonl');
    fs.writeFileSync(input, `${JSON.stringify({ type: 'client', event_id: 'ev-9', client_id: 'c9', ts: new Date().toISOString(), industry: 'retail' })}\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, ALMANAC_HOME: world.config.home, ALMANAC_FSYNC: 'none' };
    delete env.ALMANAC_CONFIG;
    for (const args of [['ingest', input], ['features', 'stream', '--until-caught-up']]) {
      const r = spawnSync(process.execPath, [path.join(REPO, 'app/bin.js'), ...args], { cwd: world.config.home, env, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, args.join(' ')).toBe(1);
      const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('almanac:'));
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^almanac: ALMANAC_ERR_LOG_CORRUPT: event log segment ${shown} is corrupt at byte \\d+: .*restore it from a backup`));
    }
  }, 60_000);
});
