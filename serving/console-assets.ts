/**
 * The web console's static files (serving/console, built by `npm run build:console` into
 * serving/console/dist): GET / is its page, GET /console/<file> its script and styles. The files
 * are read once at start-up (a few hundred KiB) and sent from memory, gzip-compressed when the
 * client accepts it, with an ETag. The routes are open (the page asks for a key and sends it to
 * the API as a bearer token) and hidden from /openapi.json. A missing bundle is one warn line;
 * GET / then says how to build it and the API works as before.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build:console` writes the bundle. */
export const CONSOLE_DIST = path.resolve(import.meta.dirname, 'console', 'dist');

/** Whether the console is built (its page exists in `dir`). */
export const consoleBuilt = (dir = CONSOLE_DIST): boolean => existsSync(path.join(dir, 'index.html'));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

/** Everything the page loads comes from this server; no inline script, no other origin. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

function loadAsset(file: string): Asset {
  const body = readFileSync(file);
  return { type: TYPES[path.extname(file)] ?? 'application/octet-stream', body, gzip: gzipSync(body, { level: 9 }), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  reply.headers({ ...SECURITY_HEADERS, 'content-type': asset.type, etag: asset.etag, 'cache-control': 'no-cache', vary: 'accept-encoding' });
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}

const MISSING_PAGE = '<!doctype html><html lang="en"><meta charset="utf-8"><title>Almanac console not built</title>'
  + '<p>The console is not built on this server. Run <code>npm run build:console</code> (or <code>npm ci</code>) and restart <code>almanac serve</code>. The REST API works without it: see <a href="/openapi.json">/openapi.json</a>.</p></html>';

/**
 * Registers GET / and GET /console/<file>. `dir` defaults to CONSOLE_DIST.
 * @returns whether the bundle was found (a missing one has been logged once at warn)
 */
export function registerConsoleAssets(app: FastifyInstance, dir = CONSOLE_DIST): boolean {
  const route = { config: { auth: 'open' as const }, schema: { hide: true } };
  const index = path.join(dir, 'index.html');
  if (!consoleBuilt(dir)) {
    app.log.warn(`the web console is not built (${path.relative(process.cwd(), index) || index} missing): run \`npm run build:console\`; the API works without it`);
    app.get('/', route, async (_request, reply) => reply.code(503).headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(MISSING_PAGE));
    return false;
  }
  const assets = loaded.get(dir) ?? loadBundle(dir);
  loaded.set(dir, assets);
  for (const [name, asset] of assets) {
    app.get(name === 'index.html' ? '/' : `/console/${name}`, route, async (request, reply) => send(request, reply, asset));
  }
  return true;
}

/** Bundles read in this process, by folder (every app built in one process shares them). */
const loaded = new Map<string, Map<string, Asset>>();

function loadBundle(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) if (path.extname(name) in TYPES) assets.set(name, loadAsset(path.join(dir, name)));
  return assets;
}
