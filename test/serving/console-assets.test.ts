/**
 * The web console's static files (serving/console-assets.ts): sent from memory with their type,
 * security headers, an ETag (304 on a match) and gzip when accepted; a missing bundle is one warn
 * line and a 503 page that says how to build it. Through buildApp: open (no key), hidden from the
 * OpenAPI document, and the API routes still need their keys.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../serving/app.ts';
import { registerConsoleAssets } from '../../serving/console-assets.ts';
import { fakeDeps } from './serving-fakes.ts';

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

function bare(): { app: FastifyInstance; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
  app = Fastify({ loggerInstance: pino({ level: 'warn' }, stream) }) as unknown as FastifyInstance;
  return { app, lines };
}

function bundle(): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'almanac-console-')), 'dist');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Almanac console</title><script type="module" src="/console/app.js"></script>');
  writeFileSync(path.join(dir, 'app.js'), `console.log(${JSON.stringify('x'.repeat(5000))});`);
  writeFileSync(path.join(dir, 'app.css'), 'body { margin: 0 }');
  writeFileSync(path.join(dir, 'notes.txt'), 'not served');
  return dir;
}

describe('console assets', () => {
  it('serves the page at / and its files under /console/ with their types, CSP and an ETag', async () => {
    const { app: a, lines } = bare();
    expect(registerConsoleAssets(a, bundle())).toBe(true);
    const page = await a.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>Almanac console</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    const js = await a.inject({ method: 'GET', url: '/console/app.js' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await a.inject({ method: 'GET', url: '/console/app.css' })).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await a.inject({ method: 'GET', url: '/console/notes.txt' })).statusCode).toBe(404);
    const again = await a.inject({ method: 'GET', url: '/console/app.js', headers: { 'if-none-match': String(js.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(lines).toEqual([]);
  });

  it('sends gzip when the client accepts it, the same bytes once unzipped', async () => {
    const { app: a } = bare();
    registerConsoleAssets(a, bundle());
    const plain = await a.inject({ method: 'GET', url: '/console/app.js' });
    const gz = await a.inject({ method: 'GET', url: '/console/app.js', headers: { 'accept-encoding': 'br, gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.rawPayload.length).toBeLessThan(plain.rawPayload.length / 10);
    expect(gunzipSync(gz.rawPayload).equals(plain.rawPayload)).toBe(true);
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it('without a bundle: one warn line naming the build command, and GET / says how to build it', async () => {
    const { app: a, lines } = bare();
    expect(registerConsoleAssets(a, path.join(os.tmpdir(), 'almanac-no-console-here'))).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40 });
    expect(String(lines[0]?.msg)).toContain('npm run build:console');
    const page = await a.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('npm run build:console');
  });

  it('in the app: open without a key, hidden from /openapi.json, while the API still needs a key', async () => {
    const w = await fakeDeps();
    app = await buildApp(w.deps, { poll: false });
    const page = await app.inject({ method: 'GET', url: '/' });
    expect([200, 503]).toContain(page.statusCode); // 503 when this checkout has not built the console
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p === '/' || p.startsWith('/console'))).toEqual([]);
    expect(Object.keys(doc.paths)).toContain('/v1/predict');
    expect((await app.inject({ method: 'GET', url: '/v1/models' })).statusCode).toBe(401);
  });
});
