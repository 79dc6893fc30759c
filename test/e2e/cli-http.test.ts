/**
 * End to end through the real CLI (`node app/bin.js …` in a temp ALMANAC_HOME): simulate →
 * ingest → features stream → training set → train → index → serve (spawned on a free port) →
 * HTTP requests against every route; then a retrain DAG run whose challenger fails the gate keeps
 * the champion serving, and a forced promotion is hot-reloaded by the running server.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { demoExamples, type DemoExamples } from '../../app/demo.ts';

const BIN = path.resolve('app/bin.js');
let home: string;
let server: ChildProcess | undefined;
let base: string;
let ex: DemoExamples;
/** The touch's client's key and an admin key, made with `almanac keys create`. */
let tenantKey: string;
let adminKey: string;
const env = () => ({ ...process.env, ALMANAC_HOME: home, ALMANAC_FSYNC: 'none', ALMANAC_LOG_LEVEL: 'warn', ALMANAC_RELOAD_MS: '200' });

function almanac(args: string[], extraEnv: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...env(), ...extraEnv }, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: string[]): string {
  const r = almanac(args);
  if (r.code !== 0) throw new Error(`almanac ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function startServe(): Promise<string> {
  const configFile = path.join(home, 'serve.json');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(configFile, JSON.stringify({ serving: { reloadIntervalMs: 200 } }));
  server = spawn(process.execPath, [BIN, '--config', configFile, 'serve', '--port', '0'], { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    server?.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1] as string);
    });
    server?.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

const post = async (route: string, body: unknown, key = tenantKey) => {
  const send = () => fetch(`${base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
  // a kept-alive socket the server closed after its keep-alive timeout (a long DAG run in between)
  // fails once with 'other side closed' (undici reuses it); a second request opens a new one
  const res = await send().catch((e: Error & { cause?: { code?: string } }) => {
    if (e.cause?.code !== 'UND_ERR_SOCKET') throw e;
    return send();
  });
  return { status: res.status, body: (await res.json()) as Record<string, any>, headers: res.headers };
};
const get = async (route: string, key = adminKey) => fetch(`${base}${route}`, { headers: { authorization: `Bearer ${key}` } });

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'almanac-e2e-'));
  const sim = path.join(home, 'sim');
  ok(['simulate', '--out', sim, '--seed', '3', '--clients', '6', '--campaigns', '18', '--days', '14', '--touches-per-day', '40', '--quiet']);
  ok(['ingest', path.join(sim, 'events.jsonl')]);
  ok(['features', 'stream', '--until-caught-up']);
  ok(['features', 'training-set']);
  ok(['train', '--epochs', '4', '--quiet']);
  ok(['index']);
  ex = await demoExamples(path.join(sim, 'events.jsonl'));
  tenantKey = ok(['keys', 'create', '--client', ex.touch.client_id, '--scopes', 'predict,search,events:write', '--name', 'e2e']).trim();
  adminKey = ok(['keys', 'create', '--scopes', 'admin']).trim();
  base = await startServe();
}, 300_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server?.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(home, { recursive: true, force: true });
});

describe('almanac CLI + HTTP end to end', () => {
  it('predicts a real touch and a plan with the champion', async () => {
    const touch = await post('/v1/predict', { touch: ex.touch });
    expect(touch.status).toBe(200);
    expect(touch.body.model_version).toBe(1);
    expect(touch.body.probability).toBeGreaterThan(0);
    expect(touch.body.probability).toBeLessThan(1);
    const plan = await post('/v1/predict', { plan: ex.plan });
    expect(plan.status).toBe(200);
    expect(plan.body.audience).toHaveLength(1);
    const repeat = await post('/v1/predict', { plan: ex.plan });
    expect(repeat.headers.get('x-almanac-cache')).toBe('hit');
  });

  it('400 with the field path, 404 for unknown ids', async () => {
    const bad = await post('/v1/predict', { plan: { ...ex.plan, audience: [{}] } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.issues[0].path).toBe('plan.audience.0.segment');
    const unknown = await post('/v1/predict', { touch: { ...ex.touch, campaign_id: 'no-such-campaign' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('ALMANAC_ERR_INPUT_NOT_FOUND');
  });

  it('searches success patterns with evidence and explanations', async () => {
    const res = await post('/v1/patterns/search', { plan: ex.plan, top_n: 3 });
    expect(res.status).toBe(200);
    expect(res.body.served_by).toBe('full');
    expect(res.body.patterns.length).toBeGreaterThan(0);
    for (const p of res.body.patterns) {
      // a cross-client pattern is backed by ≥ k = 3 clients with any one left out; a private one is the caller's own
      if (p.scope === 'global') expect(p.distinct_clients).toBeGreaterThanOrEqual(4);
      else expect(p.pattern_id.endsWith(`.${ex.plan.client_id}`)).toBe(true);
      expect(Object.keys(p.conditions).length).toBeGreaterThan(0);
      expect(p.explanation).toMatch(/^(your plan is this pattern|your plan falls under this pattern|close to your plan)/);
    }
    expect(Array.isArray(res.body.anti_patterns)).toBe(true);
  });

  it('takes events idempotently', async () => {
    const event = { type: 'client', event_id: 'e2e-client-1', client_id: 'e2e-client', ts: '2024-03-01T00:00:00Z', industry: 'retail' };
    // an admin key: its client event registers e2e-client (a tenant key could not)
    const first = (await post('/v1/events', { events: [event, { type: 'client' }] }, adminKey)).body;
    expect(first).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(first.rejected.length).toBeGreaterThan(0);
    expect(first.rejected.every((r: { index: number }) => r.index === 1)).toBe(true);
    expect((await post('/v1/events', { events: [event] }, adminKey)).body).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it('serves models, readiness, metrics and the OpenAPI document', async () => {
    const models = (await (await get('/v1/models')).json()) as Record<string, any>;
    expect(models.serving.model_version).toBe(1);
    expect(models.versions[0].aliases).toContain('champion');
    const ready = await get('/health/ready');
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as Record<string, any>).dependencies.vector.state).toBe('up');
    expect(await (await get('/metrics')).text()).toMatch(/almanac_http_requests_total\{route="\/v1\/predict"/);
    expect(Object.keys(((await (await get('/openapi.json')).json()) as Record<string, any>).paths)).toContain('/v1/patterns/search');
  });

  it('keys: created once (secret on stdout only), listed without secrets, revoked (401 within ~1 s); bad requests exit 2 with one line', async () => {
    expect(tenantKey).toMatch(/^alm_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const listed = ok(['keys', 'list']);
    expect(listed).toContain(tenantKey.slice(4, 16));
    expect(listed).not.toContain(tenantKey.slice(17));
    expect(listed).toMatch(new RegExp(`${tenantKey.slice(4, 16)}\tactive\t${ex.touch.client_id}\tpredict,search,events:write`));
    const spare = ok(['keys', 'create', '--client', ex.touch.client_id, '--scopes', 'predict']).trim();
    expect((await post('/v1/predict', { touch: ex.touch }, spare)).status).toBe(200);
    expect(ok(['keys', 'revoke', spare.slice(4, 16)])).toContain('revoked');
    await vi.waitFor(async () => expect((await post('/v1/predict', { touch: ex.touch }, spare)).status).toBe(401), { timeout: 5_000, interval: 200 });
    for (const args of [['keys', 'create', '--client', 'nobody', '--scopes', 'predict'], ['keys', 'create', '--scopes', 'predict,admin'], ['keys', 'create', '--scopes', 'root'], ['keys', 'revoke', 'ffffffffffff']]) {
      const r = almanac(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect((await fetch(`${base}/v1/predict`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
  });

  it('a retrain run whose challenger fails the gate keeps the champion serving; a forced promotion is hot-reloaded', async () => {
    const run = almanac(['dag', 'run', 'retrain', '--json'], { ALMANAC_RETRAIN_MIN_AUC: '0.999' });
    expect(run.code).toBe(1);
    // the same events give the same training set and, every family being deterministic, the same
    // model: the registry answers with the existing version (registration is idempotent on content)
    expect(run.stderr).toMatch(/ALMANAC_ERR_DAG_TASK_FAILED: run \S+ failed: task 'evaluate' failed: model v\d+ not promoted/);
    const history = JSON.parse(ok(['dag', 'history', 'retrain', '--json'])) as Record<string, any>[];
    const evaluate = history[0]?.tasks.find((t: { id: string }) => t.id === 'evaluate');
    expect(evaluate).toMatchObject({ state: 'failed', error: { code: 'ALMANAC_ERR_MODEL_GATE_FAILED' } });
    expect(history[0]?.tasks.find((t: { id: string }) => t.id === 'promote').state).toBe('skipped');
    expect((await post('/v1/predict', { touch: ex.touch })).body.model_version).toBe(1);
    // a different model (one family only) is a new version; forced to champion, serving picks it up
    ok(['train', '--families', 'mlp', '--seed', '7', '--epochs', '2', '--quiet']);
    ok(['models', 'promote', '2', '--force']);
    await vi.waitFor(async () => {
      expect((await post('/v1/predict', { touch: ex.touch })).body.model_version).toBe(2);
    }, { timeout: 20_000, interval: 250 });
  }, 240_000);
});
