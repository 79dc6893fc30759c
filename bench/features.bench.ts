/**
 * Feature pipeline benchmark: simulated events → embedded event log, then
 *  - baseline: the same records read from the log, JSON.parse'd, counted in a Map (client × day);
 *  - stream job: log → aggregation engine (6 views) → online store (+ offline Parquet, checkpoints);
 *  - backfill: log replay → the same engine → offline store replaceRange.
 * One process, one core for JS (DuckDB threads = 1). Size: BENCH_EVENTS (default 10,000,000; the
 * stream figure is over the same log). All three read the log in batches of the jobs' READ_BATCH
 * records (BENCH_BATCH overrides it for all three), so the baseline reads exactly as the jobs do.
 * The baseline reads through a log handle of its own, as the jobs do (open scan, CRC of every record);
 * the figure through the writer's handle (which skips the CRC of bytes it wrote) is printed too.
 * Each figure is wall time; the CPU time of the process over the same phase is printed beside it
 * (on a shared machine it is the steadier of the two).
 *   npm run bench:features            # full size
 *   BENCH_EVENTS=300000 npm run bench:features   # smoke run
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../core/config.ts';
import { createEventLog } from '../pipelines/event-log/create-event-log.ts';
import { EVENTS_TOPIC, type AppendRecord, type EventLog } from '../pipelines/event-log/event-log.ts';
import { runBackfill } from '../features/jobs/backfill-job.ts';
import { READ_BATCH } from '../features/jobs/read-batch.ts';
import { runStreamJob } from '../features/jobs/stream-job.ts';

const N = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? READ_BATCH);
const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const DAYS = 90;
const CLIENTS = 200;
const CAMPAIGNS_PER_CLIENT = 5;
const SEGMENTS = 20;
const CHANNELS = ['email', 'display', 'social', 'search', 'phone', 'sms', 'push', 'direct_mail', 'video'];
const INDUSTRIES = ['retail', 'finance', 'travel', 'health', 'education', 'telecom', 'auto', 'media'];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Records in roughly event-time order (5% up to 2 h early = out of order), in chunks. */
function* generate(n: number, chunk = 50_000): Generator<AppendRecord[]> {
  const rand = rng(42);
  let out: AppendRecord[] = [];
  const push = (id: string, key: string, ts: number, e: object) => {
    out.push({ id, key, timestamp: ts, value: JSON.stringify(e) });
  };
  for (let c = 0; c < CLIENTS; c++) {
    const client_id = `client-${c}`;
    push(`client-${c}`, client_id, START - DAY, { type: 'client', event_id: `client-${c}`, client_id, ts: START - DAY, industry: INDUSTRIES[c % 8] });
    for (let k = 0; k < CAMPAIGNS_PER_CLIENT; k++) {
      const campaign_id = `${client_id}-k${k}`;
      push(`camp-${campaign_id}`, client_id, START - DAY, {
        type: 'campaign', event_id: `camp-${campaign_id}`, campaign_id, client_id, ts: START - DAY, industry: INDUSTRIES[c % 8], objective: 'sales',
        channel: CHANNELS[(c + k) % 9], budget: 1000 + k, start: START, end: START + DAYS * DAY, attributes: { creative: k % 2 ? 'video' : 'banner' },
      });
    }
  }
  const step = (DAYS * DAY) / n;
  for (let i = 0; i < n - CLIENTS * (CAMPAIGNS_PER_CLIENT + 1); i++) {
    const c = Math.floor(rand() * CLIENTS);
    const client_id = `client-${c}`;
    const campaign_id = `${client_id}-k${Math.floor(rand() * CAMPAIGNS_PER_CLIENT)}`;
    const ts = Math.floor(START + i * step - (rand() < 0.05 ? rand() * 7_200_000 : 0));
    const r = rand();
    if (r < 0.8) {
      push(`t${i}`, client_id, ts, { type: 'touch', event_id: `t${i}`, touch_id: `t${i}`, campaign_id, client_id, ts, cost: Math.round(rand() * 500) / 100, audience: { segment: `s${Math.floor(rand() * SEGMENTS)}`, age: 18 + Math.floor(rand() * 60) }, attributes: { offer: rand() < 0.5 ? 'a' : 'b' } });
    } else {
      const touch = Math.max(0, i - 1 - Math.floor(rand() * 5000));
      push(`o${i}`, client_id, ts, { type: 'outcome', event_id: `o${i}`, touch_id: `t${touch}`, campaign_id, client_id, ts, kind: r < 0.94 ? 'click' : 'conversion' });
    }
    if (out.length >= chunk) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

/** Baseline: read every record from the log, JSON.parse it, count per client × day in a Map. */
async function baseline(log: EventLog): Promise<{ ms: number; events: number }> {
  const t0 = performance.now();
  const counts = new Map<string, number>();
  let events = 0;
  for (const o of await log.offsets(EVENTS_TOPIC)) {
    for (let pos = o.start; pos < o.end; ) {
      const records = await log.read(EVENTS_TOPIC, o.partition, pos, BATCH);
      for (const r of records) {
        const e = JSON.parse(r.value) as { client_id: string; ts: number };
        const key = `${e.client_id}|${Math.floor(e.ts / DAY)}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      events += records.length;
      pos = (records[records.length - 1]?.offset ?? o.end - 1) + 1;
    }
  }
  return { ms: performance.now() - t0, events };
}

const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en-US')} events/s`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** CPU seconds (user + system) of this process since `from`. */
const cpu = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return `cpu ${((u.user + u.system) / 1e6).toFixed(1)} s`;
};

async function main(): Promise<void> {
  const model = os.cpus()[0]?.model ?? 'unknown cpu';
  console.log(`machine: ${model}, ${os.cpus().length} cores, node ${process.version}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; read batch ${BATCH}`);
  const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-bench-features-'));
  const config = loadConfig({ env: {}, overrides: { home, logLevel: 'silent', eventLog: { partitions: 4, fsync: 'none' } } });
  try {
    const log = await createEventLog(config);
    await log.init();
    await log.ensureTopic(EVENTS_TOPIC, { partitions: 4 });
    let t = performance.now();
    let appended = 0;
    for (const chunk of generate(N)) {
      await log.append(EVENTS_TOPIC, chunk);
      appended += chunk.length;
      if (appended % 1_000_000 < chunk.length) process.stderr.write(`[bench] appended ${appended.toLocaleString('en-US')}\n`);
    }
    console.log(`events: ${appended.toLocaleString('en-US')} over ${DAYS} days, ${CLIENTS} clients; log append ${secs(performance.now() - t)} (setup, not measured)`);
    let c = process.cpuUsage();
    const writerBase = await baseline(log);
    await log.close();
    console.log(`baseline via the writer's handle (no CRC check: it wrote those bytes; the reference until now): ${secs(writerBase.ms)}  ${rate(writerBase.events, writerBase.ms)}  (${cpu(c)})`);
    // The reference: a reader of its own, opened as the jobs open the log (torn-tail scan, every record's CRC checked).
    t = performance.now();
    c = process.cpuUsage();
    const reader = await createEventLog(config);
    await reader.init();
    const base = await baseline(reader);
    await reader.close();
    base.ms = performance.now() - t;
    console.log(`baseline  (open + log read + JSON.parse + Map update, as the jobs read): ${secs(base.ms)}  ${rate(base.events, base.ms)}  (${cpu(c)})`);

    t = performance.now();
    c = process.cpuUsage();
    const stream = await runStreamJob(config, { untilCaughtUp: true, quiet: true, maxRecords: BATCH });
    const streamMs = performance.now() - t;
    console.log(`stream job (log → 6 views → online + offline, checkpoints): ${secs(streamMs)}  ${rate(stream.records, streamMs)}  rows ${stream.rowsWritten}  commits ${stream.commits}  (${(streamMs / base.ms).toFixed(2)}× baseline, ${(streamMs / writerBase.ms).toFixed(2)}× writer-handle baseline; ${cpu(c)}; target ≥ 300,000 events/s)`);

    t = performance.now();
    c = process.cpuUsage();
    const backfill = await runBackfill(config, { quiet: true, chunk: BATCH });
    const backfillMs = performance.now() - t;
    console.log(`backfill  (log replay → 6 views → offline replaceRange): ${secs(backfillMs)}  ${rate(backfill.records, backfillMs)}  rows ${backfill.rows}  (${(backfillMs / base.ms).toFixed(2)}× baseline, ${(backfillMs / writerBase.ms).toFixed(2)}× writer-handle baseline; ${cpu(c)}; target ≤ 2×)`);
    console.log(`load after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`memory: rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
