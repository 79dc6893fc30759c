/**
 * Serving benchmark: builds a small world in a temp home (the `almanac demo` pipeline), starts the
 * REST service and a bare fastify JSON-echo baseline in this process, and loads them from a
 * SEPARATE process (bench/load-generator.ts): echo, POST /v1/predict (unique bodies: every request misses
 * the result cache), the same predict body (cache hits), POST /v1/patterns/search; then predict at
 * half the echo's throughput for its p99, and search at half its own throughput for its p99.
 * Targets: predict ≥ 0.5 × echo throughput; p99 ≤ 5 ms at half the echo's load; search p99 ≤ 10 ms.
 * Every request carries the demo client's API key; the authentication cost is measured against a
 * second server on the same home started with --insecure-no-auth (target: < 5% of predict throughput).
 *
 *   npm run bench:serve                      (BENCH_DURATION=10 BENCH_CONNECTIONS=10 by default)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { buildDemo, demoExamples, demoKeys, type DemoExamples } from '../app/demo.ts';
import { loadConfig } from '../core/config.ts';
import { startServer } from '../serving/cli.ts';
import { formatLoad, runLoad, type Load } from './load-generator.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

/** The API key every load sends (the demo client's), set once the world is built. */
let auth: Record<string, string> = {};

function autocannon(url: string, body: unknown, options: { rate?: number; seconds?: number; headers?: Record<string, string> } = {}): Promise<Load> {
  return runLoad({ url, body, connections: CONNECTIONS, seconds: options.seconds ?? DURATION, rate: options.rate, headers: options.headers ?? auth });
}

async function startEcho(): Promise<{ url: string; close: () => Promise<void> }> {
  const echo = Fastify({ logger: false });
  echo.post('/echo', async (request) => request.body);
  const url = await echo.listen({ port: 0, host: '127.0.0.1' });
  return { url: `${url}/echo`, close: () => echo.close() };
}

const fmt = (name: string, l: Load) => formatLoad(name, l);

async function main(): Promise<void> {
  const cpus = os.cpus();
  process.stdout.write(`machine: ${cpus[0]?.model ?? 'unknown cpu'} × ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, ${os.platform()} ${os.release()}\n`);
  process.stdout.write(`load: a separate process, ${CONNECTIONS} connections, ${DURATION} s per run — autocannon (closed loop) for the maxima, evenly spaced requests (open loop, latency from when each was due) at a fixed rate; server log level warn\n\n`);
  // BENCH_HOME=<dir> keeps (and on later runs reuses) the built world instead of a fresh temp home.
  const keep = process.env.BENCH_HOME;
  const home = keep ?? mkdtempSync(path.join(os.tmpdir(), 'almanac-bench-serve-'));
  try {
    // the per-key rate limit is set out of the way: the bench measures throughput, not the limit
    const config = loadConfig({ env: { ALMANAC_FSYNC: 'none' }, overrides: { home, logLevel: 'warn', serving: { rateLimit: { max: 1_000_000_000 } } } });
    const world = { clients: 8, campaigns: 24, days: 21, touchesPerDay: 60 };
    const eventsFile = path.join(home, 'demo', 'world-7', 'events.jsonl');
    const examples = keep && existsSync(path.join(home, 'patterns', 'CURRENT'))
      ? await demoExamples(eventsFile)
      : (await buildDemo(config, { world, epochs: 10, quiet: false })).examples;
    const keys = await demoKeys(config);
    auth = { authorization: `Bearer ${keys.clients[examples.touch.client_id]}` };
    const { app, url } = await startServer(config, { port: 0, host: '127.0.0.1' });
    const echo = await startEcho();
    try {
      await runLoads(url, echo.url, examples);
    } finally {
      await echo.close();
      await app.close();
    }
    await authCost(config, examples);
  } finally {
    if (!keep) rmSync(home, { recursive: true, force: true });
  }
}

async function runLoads(base: string, echoUrl: string, ex: DemoExamples): Promise<void> {
  const touchBody = { touch: ex.touch };
  const tag = (attributes: unknown) => ({ ...(attributes as object), bench_id: '__ID__' });
  const uniqueTouch = { touch: { ...ex.touch, attributes: tag(ex.touch.attributes) } };
  const uniquePlan = { plan: { ...ex.plan, attributes: tag(ex.plan.attributes) } };
  const searchBody = { plan: { ...ex.plan, attributes: tag(ex.plan.attributes) }, top_n: 5 };
  await autocannon(`${base}/v1/predict`, uniqueTouch, { seconds: 2 }); // warm-up (JIT, ORT session)
  await autocannon(`${base}/v1/patterns/search`, searchBody, { seconds: 2 });
  const echo = await autocannon(echoUrl, uniqueTouch);
  const predict = await autocannon(`${base}/v1/predict`, uniqueTouch);
  const cached = await autocannon(`${base}/v1/predict`, touchBody);
  const plan = await autocannon(`${base}/v1/predict`, uniquePlan);
  const search = await autocannon(`${base}/v1/patterns/search`, searchBody);
  const half = Math.max(1, Math.floor(echo.rps / 2));
  const atHalf = await autocannon(`${base}/v1/predict`, uniqueTouch, { rate: half });
  const echoAtHalf = await autocannon(echoUrl, uniqueTouch, { rate: half });
  const searchHalf = Math.max(1, Math.floor(search.rps / 2));
  const searchAtHalf = await autocannon(`${base}/v1/patterns/search`, searchBody, { rate: searchHalf });
  process.stdout.write(`\n${fmt('echo (baseline)', echo)}\n${fmt('predict touch (cache miss)', predict)}\n${fmt('predict touch (cache hit)', cached)}\n`);
  process.stdout.write(`${fmt('predict plan (cache miss)', plan)}\n${fmt('patterns/search (cache miss)', search)}\n`);
  process.stdout.write(`${fmt(`predict at ${half} req/s (½ echo)`, atHalf)}\n${fmt(`echo at ${half} req/s`, echoAtHalf)}\n`);
  process.stdout.write(`${fmt(`search at ${searchHalf} req/s (½ its max)`, searchAtHalf)}\n\n`);
  const ratio = predict.rps / echo.rps;
  process.stdout.write(`predict / echo throughput: ${ratio.toFixed(2)} (target ≥ 0.50) ${ratio >= 0.5 ? 'MET' : 'NOT MET'}\n`);
  process.stdout.write(`predict p99 at ½ echo load: ${atHalf.p99} ms (target ≤ 5 ms) ${atHalf.p99 <= 5 ? 'MET' : 'NOT MET'}\n`);
  process.stdout.write(`search p99 at ½ its max load: ${searchAtHalf.p99} ms (target ≤ 10 ms) ${searchAtHalf.p99 <= 10 ? 'MET' : 'NOT MET'}\n`);
}

/** Predict throughput with keys (this server) against the same home served with --insecure-no-auth, interleaved twice. */
async function authCost(config: ReturnType<typeof loadConfig>, ex: DemoExamples): Promise<void> {
  const uniqueTouch = { touch: { ...ex.touch, attributes: { ...ex.touch.attributes, bench_id: '__ID__' } } };
  const { client_id: _c, ...touchNoClient } = uniqueTouch.touch;
  const keyed = await startServer(config, { port: 0, host: '127.0.0.1' });
  const open = await startServer(config, { port: 0, host: '127.0.0.1', insecureNoAuth: true });
  try {
    await autocannon(`${keyed.url}/v1/predict`, { touch: touchNoClient }, { seconds: 2 });
    await autocannon(`${open.url}/v1/predict`, uniqueTouch, { seconds: 2, headers: {} });
    const runs: { withKey: Load; without: Load }[] = [];
    for (let i = 0; i < 2; i++) {
      const withKey = await autocannon(`${keyed.url}/v1/predict`, { touch: touchNoClient });
      const without = await autocannon(`${open.url}/v1/predict`, uniqueTouch, { headers: {} });
      runs.push({ withKey, without });
    }
    const rps = (l: Load[]) => l.reduce((a, b) => a + b.rps, 0) / l.length;
    const withKey = rps(runs.map((r) => r.withKey));
    const without = rps(runs.map((r) => r.without));
    const cost = 1 - withKey / without;
    process.stdout.write(`\n${fmt('predict, API key (tenant from key)', runs[1]!.withKey)}\n${fmt('predict, --insecure-no-auth', runs[1]!.without)}\n`);
    process.stdout.write(`authentication cost: ${(100 * cost).toFixed(1)}% of predict throughput (${withKey.toFixed(0)} vs ${without.toFixed(0)} req/s, mean of 2 interleaved runs; target < 5%) ${cost < 0.05 ? 'MET' : 'NOT MET'}\n`);
  } finally {
    await keyed.app.close();
    await open.app.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
