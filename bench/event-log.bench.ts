/**
 * Embedded event log throughput: append (fsync none / always), sequential read and consumer poll,
 * beside a baseline in the same run (plain JSONL file: one write per batch, read back + split).
 *   npx tsx bench/event-log.bench.ts [records=500000]
 */
import { appendFileSync, fsyncSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../core/config.ts';
import { createEmbeddedEventLog } from '../pipelines/event-log/embedded/embedded-event-log.ts';
import type { AppendRecord } from '../pipelines/event-log/event-log.ts';

const N = Number(process.argv[2] ?? 500_000);
const BATCH = 5_000;
const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-bench-log-'));

const record = (i: number): AppendRecord => {
  const value = JSON.stringify({ type: 'touch', event_id: `ev-${i}`, touch_id: `t-${i}`, campaign_id: `cmp-${i % 97}`, client_id: `client-${i % 50}`, ts: 1_700_000_000_000 + i, channel: 'email', audience: { segment: 'young', age: 30 }, attributes: {} });
  return { id: `ev-${i}`, key: `client-${i % 50}`, timestamp: 1_700_000_000_000 + i, value };
};

const rate = (n: number, ms: number): string => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} rec/s`;
const time = async (fn: () => Promise<void> | void): Promise<number> => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

async function appendBench(fsync: 'none' | 'always', n: number): Promise<number> {
  const log = createEmbeddedEventLog(loadConfig({ env: {}, overrides: { home: path.join(home, fsync), eventLog: { fsync } } }));
  await log.ensureTopic('bench', { partitions: 4 });
  const ms = await time(async () => {
    for (let i = 0; i < n; i += BATCH) await log.append('bench', Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => record(i + k)));
  });
  await log.close();
  return ms;
}

function baselineWrite(n: number, fsync: boolean): number {
  const file = path.join(home, `baseline-${fsync}.jsonl`);
  const fd = openSync(file, 'a');
  const ms = performance.now();
  for (let i = 0; i < n; i += BATCH) {
    const lines = Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => record(i + k).value).join('\n') + '\n';
    writeSync(fd, lines);
    if (fsync) fsyncSync(fd);
  }
  closeSync(fd);
  return performance.now() - ms;
}

async function readBench(): Promise<{ readMs: number; pollMs: number; count: number }> {
  const log = createEmbeddedEventLog(loadConfig({ env: {}, overrides: { home: path.join(home, 'none'), eventLog: { fsync: 'none' } } }));
  let count = 0;
  let readMs = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    count = 0;
    const ms = await time(async () => {
      for (const p of await log.offsets('bench')) {
        for (let at = p.start; at < p.end; ) {
          const got = await log.read('bench', p.partition, at, 10_000);
          at += got.length;
          count += got.length;
        }
      }
    });
    readMs = Math.min(readMs, ms);
  }
  const consumer = await log.consumer({ group: 'bench', topic: 'bench' });
  let polled = 0;
  const pollMs = await time(async () => {
    for (;;) {
      const got = await consumer.poll({ maxRecords: 5_000, maxWaitMs: 0 });
      if (got.length === 0) break;
      polled += got.length;
    }
  });
  if (polled !== count) throw new Error(`poll saw ${polled} records, read saw ${count}`);
  await log.close();
  return { readMs, pollMs, count };
}

async function main(): Promise<void> {
  console.log(`machine: ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length} cores, node ${process.version}, load avg ${os.loadavg()[0]?.toFixed(1)}; ${N} records (~${record(1).value.length} B values), batches of ${BATCH}, 4 partitions`);
  const nAlways = Math.min(N, 100_000);
  const baseNone = baselineWrite(N, false);
  const appendNone = await appendBench('none', N);
  const baseAlways = baselineWrite(nAlways, true);
  const appendAlways = await appendBench('always', nAlways);
  const readBase = await time(() => void readFileSync(path.join(home, 'baseline-false.jsonl'), 'utf8').split('\n'));
  const { readMs, pollMs, count } = await readBench();
  console.log(`append fsync=none    ${rate(N, appendNone).padStart(18)}   baseline JSONL write        ${rate(N, baseNone)}`);
  console.log(`append fsync=always  ${rate(nAlways, appendAlways).padStart(18)}   baseline JSONL write+fsync  ${rate(nAlways, baseAlways)}`);
  console.log(`read (10k per fetch) ${rate(count, readMs).padStart(18)} (best of 3 passes)   baseline readFile+split     ${rate(N, readBase)}`);
  console.log(`consumer poll (5k)   ${rate(count, pollMs).padStart(18)}`);
  appendFileSync(path.join(home, 'done'), '');
  rmSync(home, { recursive: true, force: true });
}

await main();
