/**
 * Server limits against slow clients (issue 12): a request that declares more body than it sends,
 * or never finishes its headers, is answered 408 and closed after a bounded time; idle keep-alive
 * connections close; at the connection cap new connections are closed at once, and once the slow
 * ones are cut off a valid request is served again. Real sockets on 127.0.0.1 (fastify's inject
 * has no socket).
 */
import type { FastifyInstance } from 'fastify';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { buildApp } from '../../../serving/app.ts';
import { applyServerLimits, type ServerLimits } from '../../../serving/server-limits.ts';
import { bearer } from '../auth-keys.ts';
import { fakeDeps } from '../serving-fakes.ts';

let app: FastifyInstance | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await app?.close();
  app = undefined;
});

const LIMITS: ServerLimits = { headersTimeoutMs: 400, requestTimeoutMs: 800, keepAliveTimeoutMs: 300, maxConnections: 1000, maxRejectReasons: 100 };

async function serve(limits: Partial<ServerLimits> = {}): Promise<{ port: number; auth: { authorization: string } }> {
  const world = await fakeDeps();
  app = await buildApp(world.deps, { poll: false });
  applyServerLimits(app.server, { ...LIMITS, ...limits });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (app.server.address() as net.AddressInfo).port, auth: bearer(world.keys.byClient.c1!) };
}

interface Watched { socket: net.Socket; received: () => string; closed: Promise<void> }

/** Opens a connection that writes `text` and then stays silent; records what comes back and when it closes. */
function slowClient(port: number, text: string): Promise<Watched> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.on('data', (d) => { received += d.toString(); });
    socket.on('error', () => undefined); // a reset by the server is one of the outcomes observed
    socket.once('connect', () => { socket.write(text); resolve({ socket, received: () => received, closed }); });
    socket.once('error', reject);
  });
}

const PREDICT = JSON.stringify({ touch: { client_id: 'c1', campaign_id: 'cmp1', audience: { segment: 'young_urban' } } });
/** An authenticated client (an unauthenticated one is answered 401 before its body) that sends 10 of 1000 bytes. */
const slowBody = (port: number, auth: { authorization: string }) => slowClient(port, `POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${auth.authorization}\r\nContent-Length: 1000\r\n\r\n{"touch":{`);
const slowHeaders = (port: number) => slowClient(port, 'POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: app');

async function predict(port: number, auth: { authorization: string }): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close', ...auth }, body: PREDICT });
  await r.arrayBuffer();
  return r.status;
}

describe('slow clients are cut off', () => {
  it('a request declaring Content-Length: 1000 and sending 10 bytes gets 408 and is closed', async () => {
    const { port, auth } = await serve();
    const c = await slowBody(port, auth);
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  });

  it('a request whose headers never end gets 408 and is closed', async () => {
    const { port } = await serve();
    const c = await slowHeaders(port);
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  });

  it('a connection that sends nothing is closed after headersTimeoutMs', async () => {
    const { port } = await serve();
    const c = await slowClient(port, '');
    await c.closed; // by the server: this side never closes it
    expect(c.received()).toMatch(/^$|^HTTP\/1\.1 408 /);
  });

  it('an idle keep-alive connection is closed after keepAliveTimeoutMs, having been served', async () => {
    const { port, auth } = await serve();
    const c = await slowClient(port, `POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${auth.authorization}\r\nContent-Length: ${Buffer.byteLength(PREDICT)}\r\n\r\n${PREDICT}`);
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(c.received()).toMatch(/keep-alive/i);
  });
});

describe('many slow connections', () => {
  it('do not stop a valid request from being served while they are open', async () => {
    const { port, auth } = await serve({ requestTimeoutMs: 20_000, headersTimeoutMs: 20_000 });
    const slow = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? slowBody(port, auth) : slowHeaders(port))));
    expect(await predict(port, auth)).toBe(200);
    expect(slow.every((c) => !c.socket.destroyed && c.received() === '')).toBe(true); // still held open, unanswered
  });

  it('at the connection cap a new connection is closed at once; when the slow ones are cut off a valid request is served', async () => {
    const { port, auth } = await serve({ maxConnections: 20, headersTimeoutMs: 2_000, requestTimeoutMs: 3_000 }); // time to open them all on a busy machine
    const slow = await Promise.all(Array.from({ length: 20 }, () => slowBody(port, auth)));
    const extra = await slowClient(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
    await extra.closed; // refused by the cap: closed without an answer, long before any timeout
    expect(extra.received()).toBe('');
    expect(slow.every((c) => !c.socket.destroyed)).toBe(true);
    await Promise.all(slow.map((c) => c.closed));
    expect(slow.every((c) => c.received().startsWith('HTTP/1.1 408'))).toBe(true);
    expect(await predict(port, auth)).toBe(200);
  });
});
