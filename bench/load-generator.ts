/**
 * The HTTP load generator of the serving benchmarks, run in a SEPARATE node process (so that it
 * does not share the server's event loop), POSTing JSON bodies that cycle through templates whose
 * "__ID__" is replaced per request (unique bodies miss the result cache). Returns throughput and
 * latency percentiles.
 *
 * - No rate (the maximum): autocannon, closed loop — each connection sends its next request when
 *   the last one is answered.
 * - A rate: an open-loop generator of our own, because autocannon's rate is a per-second budget per
 *   connection — each connection sends back to back until its budget is spent, then waits for the
 *   next second — so "half the maximum" arrived as full-load bursts, and its percentiles were those
 *   of full load. Here request i is due at start + i/rate (evenly spaced), sent on a keep-alive
 *   socket of `connections` (queued by the agent when all are busy), and its latency runs from when
 *   it was due to the end of its response, so time spent waiting behind a slow response counts
 *   (no coordinated omission, as wrk2 measures).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** Requests per second over all connections; undefined = as fast as the server answers. */
  rate?: number;
  /** One body template… */
  body?: unknown;
  /** …or a JSON file holding an array of body templates (strings), used in turn. */
  bodiesFile?: string;
  /** Extra request headers (e.g. `authorization: Bearer …`). */
  headers?: Record<string, string>;
}

const AUTOCANNON = path.resolve('node_modules/autocannon');

const LOADER = `
const autocannon = require(process.env.AC_PATH);
const o = JSON.parse(process.env.AC_OPTIONS);
const bodies = o.bodiesFile ? JSON.parse(require('node:fs').readFileSync(o.bodiesFile, 'utf8')) : [o.body];
let n = 0;
const opts = { url: o.url, connections: o.connections, duration: o.duration, method: 'POST',
  headers: { 'content-type': 'application/json', ...(o.headers ?? {}) },
  requests: [{ setupRequest: (req) => { const i = n++; return { ...req, body: bodies[i % bodies.length].split('__ID__').join(process.pid + '-' + i) }; } }] };
autocannon(opts).then((r) => process.stdout.write(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); });
`;

const PACED_LOADER = `
const http = require('node:http');
const o = JSON.parse(process.env.AC_OPTIONS);
const bodies = o.bodiesFile ? JSON.parse(require('node:fs').readFileSync(o.bodiesFile, 'utf8')) : [o.body];
const url = new URL(o.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
const headers = { 'content-type': 'application/json', ...(o.headers ?? {}) };
const latencies = [];
let errors = 0, non2xx = 0, sent = 0, done = 0;
const interval = 1000 / o.rate;
const total = Math.max(1, Math.round(o.rate * o.duration));
const start = performance.now() + 20;
function send(i) {
  const due = start + i * interval;
  const body = bodies[i % bodies.length].split('__ID__').join(process.pid + '-' + i);
  const req = http.request({ hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.resume();
    res.on('end', () => { if (res.statusCode < 200 || res.statusCode > 299) non2xx++; latencies.push(performance.now() - due); finish(); });
  });
  req.on('error', () => { errors++; finish(); });
  req.end(body);
}
function finish() { if (++done === total) report(); }
function report() {
  const wall = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] * 10) / 10 : 0;
  process.stdout.write(JSON.stringify({ requests: { average: done / wall }, latency: { p50: q(0.5), p99: q(0.99) }, errors, non2xx }));
  agent.destroy();
}
(function tick() {
  const now = performance.now();
  while (sent < total && start + sent * interval <= now) send(sent++);
  if (sent < total) setTimeout(tick, Math.max(0, Math.min(interval, start + sent * interval - performance.now())));
})();
`;

/** Runs one load (autocannon at the maximum; the open-loop generator at a rate); rejects when the generator fails (its stderr in the message). */
export function runLoad(options: LoadOptions): Promise<Load> {
  const acOptions = {
    url: options.url, connections: options.connections, duration: options.seconds, rate: options.rate,
    body: options.body === undefined ? undefined : JSON.stringify(options.body), bodiesFile: options.bodiesFile, headers: options.headers,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', options.rate ? PACED_LOADER : LOADER], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AC_PATH: AUTOCANNON, AC_OPTIONS: JSON.stringify(acOptions) },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`load generator exited ${code}`);
        const r = JSON.parse(out) as { requests: { average: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number };
        resolve({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx });
      } catch (e) {
        reject(new Error(`${options.rate ? 'paced load' : 'autocannon'} ${options.url}: ${(e as Error).message}; stderr '${err.slice(0, 300)}'`));
      }
    });
  });
}

/** One result line: name, req/s, p50, p99 (and errors when any). */
export function formatLoad(name: string, l: Load, width = 34): string {
  const errors = l.errors || l.non2xx ? `   errors ${l.errors} non-2xx ${l.non2xx}` : '';
  return `${name.padEnd(width)} ${l.rps.toFixed(0).padStart(7)} req/s   p50 ${String(l.p50).padStart(4)} ms   p99 ${String(l.p99).padStart(4)} ms${errors}`;
}
