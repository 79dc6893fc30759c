/**
 * Replay benchmark: the backfill (EventLog.replay → aggregation engine, 6 views; offline writes
 * off) on the embedded log and on Kafka, side by side, each beside a baseline over the same log in
 * the same run (the same replay, each record JSON.parse'd and counted: what any consumer pays),
 * and the old path (paging with `read`, a consumer-group join per call on Kafka) over the first
 * BENCH_PAGED_RECORDS (40,000) records.
 * The world comes from `almanac simulate`, ingested into an embedded home and into Kafka through
 * `almanac ingest`. Needs KAFKA_BROKERS (e.g. `eval "$(deploy/local/start-engines kafka)"`); it
 * deletes and recreates the topic `almanac.events` there (run it against a broker of its own).
 *   KAFKA_BROKERS=127.0.0.1:9092 npm run bench:replay
 *   BENCH_TOUCHES_PER_DAY=400 BENCH_DAYS=60 …   (size; default ~250k events)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig, type AlmanacConfig } from '../core/config.ts';
import { runBackfill } from '../features/jobs/backfill-job.ts';
import { createEventLog } from '../pipelines/event-log/create-event-log.ts';
import { EVENTS_TOPIC } from '../pipelines/event-log/event-log.ts';

const brokers = process.env.KAFKA_BROKERS;
if (!brokers) {
  process.stderr.write('bench:replay needs KAFKA_BROKERS (eval "$(deploy/local/start-engines kafka)")\n');
  process.exit(2);
}
const world = {
  clients: process.env.BENCH_CLIENTS ?? '24',
  campaigns: process.env.BENCH_CAMPAIGNS ?? '96',
  days: process.env.BENCH_DAYS ?? '60',
  touchesPerDay: process.env.BENCH_TOUCHES_PER_DAY ?? '180',
};
const BIN = path.resolve(import.meta.dirname, '../app/bin.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'almanac-replay-bench-'));

function almanac(env: Record<string, string>, args: string[]): string {
  return execFileSync(process.execPath, [BIN, ...args], { env: { ...process.env, ALMANAC_FSYNC: 'none', ALMANAC_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 }).toString();
}

async function resetKafka(): Promise<void> {
  const admin = new Kafka({ clientId: 'almanac-bench-reset', brokers: (brokers as string).split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteGroups(['almanac-features']).catch(() => undefined);
    if ((await admin.listTopics()).includes(EVENTS_TOPIC)) {
      await admin.deleteTopics({ topics: [EVENTS_TOPIC], timeout: 30_000 });
      for (let i = 0; i < 120 && (await admin.listTopics()).includes(EVENTS_TOPIC); i++) await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await admin.disconnect();
  }
}

interface Figure { records: number; ms: number; cpuMs: number }

async function timed(fn: () => Promise<number>): Promise<Figure> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const records = await fn();
  const c = process.cpuUsage(c0);
  return { records, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

/** Baseline: one replay of the whole topic, each record parsed and counted by client. */
async function baseline(config: AlmanacConfig): Promise<number> {
  const log = await createEventLog(config);
  await log.init();
  try {
    const byClient = new Map<string, number>();
    let n = 0;
    for await (const { records } of log.replay(EVENTS_TOPIC)) {
      for (const r of records) {
        const e = JSON.parse(r.value) as { client_id?: string };
        byClient.set(e.client_id ?? '', (byClient.get(e.client_id ?? '') ?? 0) + 1);
        n++;
      }
    }
    return n;
  } finally {
    await log.close();
  }
}

/** What the backfill did before replay: page every partition through `read` (on Kafka a group join per call), over the first `limit` records. */
async function pagedReads(config: AlmanacConfig, limit: number): Promise<number> {
  const log = await createEventLog(config);
  await log.init();
  try {
    let n = 0;
    for (const o of await log.offsets(EVENTS_TOPIC)) {
      for (let pos = o.start; pos < o.end && n < limit; ) {
        const records = await log.read(EVENTS_TOPIC, o.partition, pos, 2000);
        if (records.length === 0) break;
        for (const r of records) JSON.parse(r.value);
        pos = (records.at(-1)?.offset ?? pos) + 1;
        n += records.length;
      }
    }
    return n;
  } finally {
    await log.close();
  }
}

const rate = (f: Figure) => Math.round(f.records / (f.ms / 1000));
const line = (name: string, f: Figure, base?: Figure) =>
  `${name.padEnd(22)} ${String(f.records).padStart(9)} records  ${String(rate(f)).padStart(8)} ev/s  ${(f.ms / 1000).toFixed(2).padStart(7)} s wall  ${(f.cpuMs / 1000).toFixed(2).padStart(7)} s CPU` +
  (base ? `  = ${(f.ms / base.ms).toFixed(2)}× the baseline's time` : '');

try {
  const sim = path.join(work, 'sim');
  almanac({}, ['simulate', '--out', sim, '--seed', '11', '--clients', world.clients, '--campaigns', world.campaigns, '--days', world.days, '--touches-per-day', world.touchesPerDay, '--quiet']);
  const file = path.join(sim, 'events.jsonl');
  await resetKafka();
  const homes = {
    embedded: { ALMANAC_HOME: path.join(work, 'embedded') },
    kafka: { ALMANAC_HOME: path.join(work, 'kafka'), ALMANAC_EVENT_LOG: 'kafka', KAFKA_BROKERS: brokers },
  };
  for (const env of Object.values(homes)) almanac(env, ['ingest', file, '--json']);
  const out: string[] = [];
  for (const [name, env] of Object.entries(homes)) {
    const config = loadConfig({ env: { ...env, ALMANAC_FSYNC: 'none' } });
    const base = await timed(() => baseline(config));
    const backfill = await timed(async () => (await runBackfill(config, { offline: null, quiet: true })).records);
    const paged = await timed(() => pagedReads(config, Number(process.env.BENCH_PAGED_RECORDS ?? 40_000)));
    out.push(line(`${name}: baseline`, base), line(`${name}: backfill`, backfill, base), line(`${name}: read() pages`, paged) + '  (the old path, first records only)');
  }
  process.stdout.write(`\nreplay benchmark — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}; world ${JSON.stringify(world)}\n${out.join('\n')}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
