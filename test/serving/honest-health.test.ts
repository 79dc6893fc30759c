/**
 * Issue 12 item 4: health that tells the truth. Each dependency's check exercises it for real, and
 * readiness fails or degrades by route: a lost online snapshot is not ready for predict; a corrupt
 * vector collection leaves search degraded (and /metrics names the dependency); an append lock held
 * by another live process makes events not writable; a dependency that breaks while the server
 * runs is noticed by the background check within its interval.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { processIdentity } from '../../core/lock-file.ts';
import { createEmbeddedVectorIndex } from '../../embeddings/vector-index/embedded/embedded-vector-index.ts';
import { createEmbeddedOnlineStore } from '../../features/online-store/embedded/embedded-online-store.ts';
import { createModelRegistry } from '../../models/registry/create-model-registry.ts';
import { createEmbeddedEventLog } from '../../pipelines/event-log/embedded/embedded-event-log.ts';
import { appendEvents, ensureEventsTopic } from '../../pipelines/ingest/ingest-events.ts';
import { buildApp } from '../../serving/app.ts';
import type { ServingDeps } from '../../serving/serving-deps.ts';
import { tinyLineage, tinyMetrics, tinySignature, writeTinyOnnx } from '../models/tiny-model.ts';
import { bearer } from './auth-keys.ts';
import { fakeDeps, PLAN, type FakeWorld } from './serving-fakes.ts';

let app: FastifyInstance | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  await app?.close();
  app = undefined;
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

async function serve(world: FakeWorld, deps: Partial<ServingDeps> = {}, poll = false): Promise<FastifyInstance> {
  app = await buildApp({ ...world.deps, ...deps }, { poll });
  return app;
}

const ready = async (a: FastifyInstance, world: FakeWorld, query = '') => {
  const r = await a.inject({ method: 'GET', url: `/health/ready${query}`, headers: bearer(world.keys.admin) });
  return { status: r.statusCode, body: r.json() as { status: string; routes: Record<string, string>; dependencies: Record<string, any> } };
};
const metrics = async (a: FastifyInstance, world: FakeWorld) => (await a.inject({ method: 'GET', url: '/metrics', headers: bearer(world.keys.admin) })).body;

describe('GET /health/ready checks each dependency for real', () => {
  it('a lost online snapshot is not ready: predict and search are down, the cause names online/snapshot.json and the fix', async () => {
    const world = await fakeDeps();
    const a = await serve(world, { onlineStore: createEmbeddedOnlineStore(world.config) }); // no snapshot in this home
    const r = await ready(a, world);
    expect(r.status).toBe(503);
    expect(r.body.status).toBe('not_ready');
    expect(r.body.routes).toMatchObject({ predict: 'down', search: 'down', events: 'up', models: 'up' });
    expect(r.body.dependencies.onlineStore.state).toBe('down');
    expect(r.body.dependencies.onlineStore.detail).toContain('holds no feature rows (online/snapshot.json is missing or empty)');
    expect(r.body.dependencies.onlineStore.detail).toContain('almanac features materialize');
    expect((await a.inject({ method: 'GET', url: '/health/ready' })).json()).toEqual({ status: 'not_ready' });
    expect(await metrics(a, world)).toMatch(/almanac_dependency_up\{dependency="onlineStore"\} 0/);
  });

  it('the online store is ready once a job has written it', async () => {
    const world = await fakeDeps();
    const store = createEmbeddedOnlineStore(world.config);
    await store.write([{ view: 'client_activity', entity: 'c1', timestamp: 1, values: { rate: 0.1 } }]);
    await store.flush();
    const r = await ready(await serve(world, { onlineStore: createEmbeddedOnlineStore(world.config) }), world);
    expect(r.status).toBe(200);
    expect(r.body.dependencies.onlineStore).toMatchObject({ state: 'up', detail: '1 rows' });
  });

  it('a corrupt vector collection leaves search degraded (popular_patterns) and /metrics names the vector index', async () => {
    const world = await fakeDeps();
    const dir = path.join(world.config.home, 'vector', 'patterns_v1');
    const gen = fs.readFileSync(path.join(dir, 'CURRENT'), 'utf8').trim();
    fs.writeFileSync(path.join(dir, `${gen}.index.bin`), 'not an hnsw index');
    fs.writeFileSync(path.join(dir, `${gen}.state.json`), '{"format":1,');
    const a = await serve(world, { vectorIndex: createEmbeddedVectorIndex(world.config) });
    const r = await ready(a, world);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('degraded');
    expect(r.body.routes).toMatchObject({ predict: 'up', search: 'degraded' });
    expect(r.body.dependencies.vector.state).toBe('down');
    expect(r.body.dependencies.vector.detail).toMatch(/^cannot load vector collection from vector\/patterns_v1 \(generation \d+\): .*; rebuild it with `almanac index`$/);
    expect(await metrics(a, world)).toMatch(/almanac_dependency_up\{dependency="vector"\} 0/);
    expect(await metrics(a, world)).toMatch(/almanac_dependency_up\{dependency="graph"\} 1/);
    const search = await a.inject({ method: 'POST', url: '/v1/patterns/search', headers: bearer(world.keys.byClient.c1 as string), payload: { plan: PLAN } });
    expect(search.json().served_by).toBe('popular_patterns');
  });

  it('with the append lock held by another live process, events are not writable (?route=events is 503), predict is still ready', async () => {
    const world = await fakeDeps();
    const log = createEmbeddedEventLog(world.config);
    await log.init();
    await ensureEventsTopic(log, world.config);
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(holder);
    const pid = holder.pid as number;
    fs.writeFileSync(path.join(world.config.home, 'log', 'almanac.events', 'append.lock'), JSON.stringify({ pid, ...processIdentity(pid) }));
    const a = await serve(world, { eventLog: log, appendEvents });
    const r = await ready(a, world);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'degraded', routes: { predict: 'up', search: 'up', events: 'down' } });
    expect(r.body.dependencies.eventLog.detail).toBe(`event log append lock log/almanac.events/append.lock is held by process ${pid} for more than 500 ms: appends wait behind it and time out; stop that process or let it finish`);
    expect((await ready(a, world, '?route=events')).status).toBe(503);
    expect((await ready(a, world, '?route=predict')).status).toBe(200);
    expect((await a.inject({ method: 'GET', url: '/health/ready?route=nope' })).statusCode).toBe(400);

    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    const after = await ready(a, world);
    expect(after.body).toMatchObject({ status: 'ready', routes: { events: 'up' } });
    expect(after.body.dependencies.eventLog.detail).toBe(`0 events in ${world.config.eventLog.partitions} partitions`);
  });

  it('a corrupt registry alias file: models is down naming registry/aliases.json; the loaded champion goes on serving predict', async () => {
    const world = await fakeDeps();
    const registry = await createModelRegistry(world.config);
    const v = await registry.register({ name: 'touch-success', onnxFile: writeTinyOnnx(world.config.home, 'm.onnx', 1), metrics: tinyMetrics(0.7, 0.4), signature: tinySignature, lineage: tinyLineage });
    await registry.setAlias('champion', v.version);
    const a = await serve(world, { registry });
    expect((await ready(a, world)).body.dependencies.registry.state).toBe('up');
    fs.writeFileSync(path.join(world.config.home, 'registry', 'aliases.json'), '{"champion": 1,');
    const r = await ready(a, world);
    expect(r.status).toBe(200);
    expect(r.body.routes).toMatchObject({ predict: 'up', models: 'down' });
    expect(r.body.dependencies.registry.detail).toContain('registry/aliases.json');
  });

  it('a dependency that breaks while the server runs is noticed by the background check within its interval, and is seen back', async () => {
    const world = await fakeDeps();
    let graphUp = true;
    const graph = { ...world.deps.graph, ping: async () => { if (!graphUp) throw new Error('connection refused'); return '24 patterns'; } };
    const config = { ...world.config, serving: { ...world.config.serving, healthCheckIntervalMs: 50 } };
    const a = await serve(world, { graph, config }, true);
    expect(await metrics(a, world)).toMatch(/almanac_dependency_up\{dependency="graph"\} 1/);
    graphUp = false;
    const started = Date.now();
    // no /health/ready request in between: only the background check can notice
    while (a.almanac.health.latest?.dependencies.graph.state !== 'down' && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 20));
    expect(a.almanac.health.latest?.dependencies.graph).toMatchObject({ state: 'down', detail: 'connection refused' });
    expect(await metrics(a, world)).toMatch(/almanac_dependency_up\{dependency="graph"\} 0/);
    graphUp = true;
    while (a.almanac.health.latest?.dependencies.graph.state !== 'up' && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
    expect(await metrics(a, world)).toMatch(/almanac_dependency_up\{dependency="graph"\} 1/);
  });
});
