/**
 * The POST /v1/events body reader (serving/events-body.ts) beside its baseline, the whole-body
 * path it replaced (JSON.parse of the whole body, then the same validation), in the same run:
 * total time per batch and the longest the event loop is held at once (a ticker beside it), for a valid 10,000-event batch (~2 MB) and an all-invalid one (~300 KB), the body arriving
 * in 64 KB pieces as a socket gives it.
 *
 *   npm run bench:events-body        (BENCH_RUNS=20)
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { EventBatchCheck, validateEvents } from '../serving/event-batch-check.ts';
import { EventsBodyCutter, StreamedEventsBatch } from '../serving/events-body.ts';
import { parseJsonBody } from '../serving/json-body.ts';
import { EVENTS_JSON_LIMITS } from '../serving/schemas/events-schema.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const PIECE = 64 * 1024;
const now = Date.parse('2024-06-01T00:00:00Z');
const time = { now };

const touch = (i: number) => ({ type: 'touch', event_id: `t-${i}`, touch_id: `tt-${i}`, client_id: `c${i % 40}`, campaign_id: `cmp${i % 300}`, ts: '2024-03-01T00:00:00Z', channel: 'email', audience: { segment: 'young_urban', age: '25-34' }, attributes: { offer: 'discount', creative: `v${i % 7}` } });
const bodies = {
  'valid 10,000 events': Buffer.from(JSON.stringify({ events: Array.from({ length: 10_000 }, (_, i) => touch(i)) })),
  'invalid 10,000 events': Buffer.from(JSON.stringify({ events: Array.from({ length: 10_000 }, () => ({ type: 'touch', event_id: 1 })) })),
};

/** Times `fn`, with a ticker beside it measuring the longest the event loop went without a turn. */
async function timed(fn: () => Promise<void>): Promise<{ ms: number; longest: number }> {
  let running = true;
  let longest = 0;
  const ticker = (async () => {
    let last = performance.now();
    while (running) {
      await new Promise((r) => setImmediate(r));
      const t = performance.now();
      longest = Math.max(longest, t - last);
      last = t;
    }
  })();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  running = false;
  await ticker;
  return { ms, longest };
}

async function streamed(body: Buffer): Promise<void> {
  const cutter = new EventsBodyCutter(EVENTS_JSON_LIMITS, new EventBatchCheck(time, 100));
  try {
    for (let at = 0; at < body.length; at += PIECE) {
      await cutter.push(body.subarray(at, at + PIECE));
      await new Promise((r) => setImmediate(r)); // the reader gives the loop back between pieces
    }
    const out = cutter.end();
    if (!(out instanceof StreamedEventsBatch)) throw new Error('not streamed');
  } catch (e) {
    if ((e as { status?: number }).status !== 400) throw e;
  }
}

async function whole(body: Buffer): Promise<void> {
  try {
    for (let at = 0; at < body.length; at += PIECE) await new Promise((r) => setImmediate(r)); // fastify's reader collects the pieces
    const value = parseJsonBody(body.toString('utf8')) as { events: unknown[] };
    await validateEvents(value.events, time, 100);
  } catch (e) {
    if ((e as { status?: number }).status !== 400) throw e;
  }
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  process.stdout.write(`machine: ${cpus[0]?.model ?? 'unknown cpu'} × ${cpus.length} cores, node ${process.version}; ${RUNS} runs each, alternating, medians\n\n`);
  for (const [name, body] of Object.entries(bodies)) {
    const results = { streamed: [] as { ms: number; longest: number }[], whole: [] as { ms: number; longest: number }[] };
    for (let r = 0; r < 3; r++) { await timed(() => streamed(body)); await timed(() => whole(body)); } // warm-up
    for (let r = 0; r < RUNS; r++) {
      results.streamed.push(await timed(() => streamed(body)));
      results.whole.push(await timed(() => whole(body)));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const line = (label: string, rs: { ms: number; longest: number }[]) => `  ${label.padEnd(34)} ${median(rs.map((x) => x.ms)).toFixed(2).padStart(7)} ms per batch, longest hold of the loop ${median(rs.map((x) => x.longest)).toFixed(2).padStart(6)} ms`;
    process.stdout.write(`${name} (${(body.length / 1024).toFixed(0)} KB):\n${line('streamed reader', results.streamed)}\n${line('baseline: whole-body JSON.parse', results.whole)}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
