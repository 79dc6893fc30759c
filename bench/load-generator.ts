/**
 * The HTTP load generator of the serving benchmarks: autocannon run programmatically in a
 * SEPARATE node process (so that it does not share the server's event loop), POSTing JSON bodies
 * that cycle through templates whose "__ID__" is replaced per request (unique bodies miss the
 * result cache). Returns throughput and latency percentiles.
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
if (o.rate) opts.overallRate = o.rate;
autocannon(opts).then((r) => process.stdout.write(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); });
`;

/** Runs one load; rejects when the generator fails (its stderr in the message). */
export function runLoad(options: LoadOptions): Promise<Load> {
  const acOptions = {
    url: options.url, connections: options.connections, duration: options.seconds, rate: options.rate,
    body: options.body === undefined ? undefined : JSON.stringify(options.body), bodiesFile: options.bodiesFile, headers: options.headers,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', LOADER], {
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
        reject(new Error(`autocannon ${options.url}: ${(e as Error).message}; stderr '${err.slice(0, 300)}'`));
      }
    });
  });
}

/** One result line: name, req/s, p50, p99 (and errors when any). */
export function formatLoad(name: string, l: Load, width = 34): string {
  const errors = l.errors || l.non2xx ? `   errors ${l.errors} non-2xx ${l.non2xx}` : '';
  return `${name.padEnd(width)} ${l.rps.toFixed(0).padStart(7)} req/s   p50 ${String(l.p50).padStart(4)} ms   p99 ${String(l.p99).padStart(4)} ms${errors}`;
}
