import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type AlmanacConfig } from '../../core/config.ts';
import { createEmbeddedEventLog } from '../../pipelines/event-log/embedded/embedded-event-log.ts';
import type { AppendRecord, EventLog } from '../../pipelines/event-log/event-log.ts';
import { eventLogContract } from '../contracts/event-log.contract.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const homes: string[] = [];
const tempHome = (): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'almanac-log-'));
  homes.push(dir);
  return dir;
};
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const configFor = (home: string, eventLog: Record<string, unknown> = {}): AlmanacConfig =>
  loadConfig({ env: {}, overrides: { home, eventLog: { fsync: 'none', ...eventLog } } });

const rec = (id: string, key = 'c', timestamp = 1_700_000_000_000): AppendRecord => ({ id, key, timestamp, value: JSON.stringify({ id, pad: 'x'.repeat(40) }) });

const total = async (log: EventLog, topic: string): Promise<number> => (await log.offsets(topic)).reduce((n, p) => n + p.end - p.start, 0);

eventLogContract('embedded', async () => createEmbeddedEventLog(configFor(tempHome())));

describe('embedded event log', () => {
  it('cuts a torn tail on reopen and keeps appending after it', async () => {
    const home = tempHome();
    const log = createEmbeddedEventLog(configFor(home));
    await log.ensureTopic('torn', { partitions: 1 });
    await log.append('torn', [rec('a'), rec('b'), rec('c')]);
    await log.close();
    const segment = path.join(home, 'log', 'torn', '0', '00000000000000000000.log');
    const size = statSync(segment).size;
    truncateSync(segment, size - 5); // the last record loses its end
    appendFileSync(segment, Buffer.alloc(0));

    const reopened = createEmbeddedEventLog(configFor(home));
    expect((await reopened.read('torn', 0, 0, 10)).map((r) => r.id)).toEqual(['a', 'b']);
    expect(statSync(segment).size).toBeLessThan(size - 5);
    const acks = await reopened.append('torn', [rec('c'), rec('d')]);
    expect(acks).toEqual([
      { status: 'appended', partition: 0, offset: 2 },
      { status: 'appended', partition: 0, offset: 3 },
    ]);
    expect((await reopened.read('torn', 0, 0, 10)).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    await reopened.close();
  });

  it('reports a damaged record in the middle of a segment as ALMANAC_ERR_LOG_CORRUPT', async () => {
    const home = tempHome();
    const log = createEmbeddedEventLog(configFor(home));
    await log.ensureTopic('bad', { partitions: 1 });
    await log.append('bad', [rec('a'), rec('b'), rec('c')]);
    await log.close();
    const segment = path.join(home, 'log', 'bad', '0', '00000000000000000000.log');
    const bytes = readFileSync(segment);
    bytes[60] = (bytes[60] as number) ^ 0xff; // inside the first record's body
    writeFileSync(segment, bytes);
    const reopened = createEmbeddedEventLog(configFor(home));
    await expect(reopened.init()).rejects.toMatchObject({ code: 'ALMANAC_ERR_LOG_CORRUPT' });
    await reopened.close();
  });

  it('rolls segments at segmentBytes and reads across them', async () => {
    const home = tempHome();
    const log = createEmbeddedEventLog(configFor(home, { segmentBytes: 4096 }));
    await log.ensureTopic('roll', { partitions: 1 });
    for (let b = 0; b < 5; b++) await log.append('roll', Array.from({ length: 40 }, (_, i) => rec(`r-${b}-${i}`)));
    const files = readdirSync(path.join(home, 'log', 'roll', '0')).filter((f) => f.endsWith('.log'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect(statSync(path.join(home, 'log', 'roll', '0', f)).size).toBeLessThanOrEqual(4096);
    await log.close();
    const reopened = createEmbeddedEventLog(configFor(home, { segmentBytes: 4096 }));
    const all = await reopened.read('roll', 0, 0, 1000);
    expect(all.map((r) => r.offset)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect((await reopened.read('roll', 0, 137, 3)).map((r) => r.id)).toEqual(['r-3-17', 'r-3-18', 'r-3-19']);
    await reopened.close();
  });

  it('removes whole closed segments older than the retention and advances the start', async () => {
    const home = tempHome();
    const log = createEmbeddedEventLog(configFor(home, { segmentBytes: 4096 }));
    await log.ensureTopic('ret', { partitions: 1, retentionMs: 60_000 });
    for (let b = 0; b < 4; b++) await log.append('ret', Array.from({ length: 40 }, (_, i) => rec(`t-${b}-${i}`)));
    expect(await log.applyRetention('ret', Date.now())).toBe(0);
    const removed = await log.applyRetention('ret', Date.now() + 120_000);
    const [p] = await log.offsets('ret');
    expect(removed).toBeGreaterThan(0);
    expect(p).toMatchObject({ start: removed, end: 160 });
    await expect(log.read('ret', 0, 0, 1)).rejects.toMatchObject({ code: 'ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE' });
    expect((await log.read('ret', 0, removed, 1))[0]?.offset).toBe(removed);
    const c = await log.consumer({ group: 'after-retention', topic: 'ret' });
    expect((await c.poll({ maxRecords: 1000, maxWaitMs: 0 }))[0]?.offset).toBe(removed);
    await log.close();
  });

  it('rebuilds the idempotent-id set after reopen, from the checkpoint and from a log without one', async () => {
    const home = tempHome();
    const log = createEmbeddedEventLog(configFor(home));
    await log.ensureTopic('ids', { partitions: 2 });
    await log.append('ids', Array.from({ length: 100 }, (_, i) => rec(`id-${i}`, `k-${i % 7}`)));
    await log.close();
    expect(readdirSync(path.join(home, 'log', 'ids'))).toContain('ids.checkpoint');

    const withCheckpoint = createEmbeddedEventLog(configFor(home));
    await withCheckpoint.append('ids', [rec('id-100', 'k-1')]);
    await withCheckpoint.close(); // checkpoint now covers 101 ids
    rmSync(path.join(home, 'log', 'ids', 'ids.checkpoint'));

    const scanned = createEmbeddedEventLog(configFor(home));
    const acks = await scanned.append('ids', [rec('id-5', 'k-5'), rec('id-100', 'k-1'), rec('id-101', 'k-1')]);
    expect(acks.map((a) => a.status)).toEqual(['duplicate', 'duplicate', 'appended']);
    expect(await total(scanned, 'ids')).toBe(102);
    await scanned.close();
  });

  it('ignores an id checkpoint that covers records the log lost or that fails its CRC', async () => {
    const home = tempHome();
    const log = createEmbeddedEventLog(configFor(home));
    await log.ensureTopic('ck', { partitions: 1 });
    await log.append('ck', Array.from({ length: 10 }, (_, i) => rec(`a${i}`)));
    await log.close(); // checkpoint covers offsets < 10
    const segment = path.join(home, 'log', 'ck', '0', '00000000000000000000.log');
    truncateSync(segment, statSync(segment).size - 3); // the last record (a9) was never made durable

    const reopened = createEmbeddedEventLog(configFor(home));
    const acks = await reopened.append('ck', [rec('a9'), rec('a5')]);
    expect(acks.map((a) => a.status)).toEqual(['appended', 'duplicate']);
    await reopened.close();

    const checkpoint = path.join(home, 'log', 'ck', 'ids.checkpoint');
    const bytes = readFileSync(checkpoint);
    bytes[bytes.length - 12] = (bytes[bytes.length - 12] as number) ^ 0x55;
    writeFileSync(checkpoint, bytes);
    const third = createEmbeddedEventLog(configFor(home));
    expect((await third.append('ck', [rec('a9'), rec('a10')])).map((a) => a.status)).toEqual(['duplicate', 'appended']);
    expect(await total(third, 'ck')).toBe(11);
    await third.close();
  });

  it('keeps every acknowledged record when the writer is killed with SIGKILL mid-run', async () => {
    const home = tempHome();
    const script = path.join(home, 'append-until-killed.mts');
    const moduleUrl = pathToFileURL(path.join(REPO, 'pipelines/event-log/embedded/embedded-event-log.ts')).href;
    const configUrl = pathToFileURL(path.join(REPO, 'core/config.ts')).href;
    writeFileSync(
      script,
      `import { createEmbeddedEventLog } from '${moduleUrl}';
import { loadConfig } from '${configUrl}';
const log = createEmbeddedEventLog(loadConfig({ env: {}, overrides: { home: ${JSON.stringify(home)}, eventLog: { fsync: 'always', segmentBytes: 65536 } } }));
await log.ensureTopic('crash', { partitions: 3 });
for (let b = 0; ; b++) {
  const batch = Array.from({ length: 50 }, (_, i) => ({ id: 'b' + b + '-' + i, key: 'k' + (i % 11), timestamp: Date.now(), value: JSON.stringify({ b, i, pad: 'y'.repeat(100) }) }));
  const acks = await log.append('crash', batch);
  process.stdout.write(acks.map((a, i) => a.status === 'appended' ? batch[i].id + ' ' + a.partition + ' ' + a.offset : '').join('\\n') + '\\n');
}
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const timer = setInterval(() => {
        const wholeLines = out.split('\n').length - 1;
        if (wholeLines >= 2000) {
          clearInterval(timer);
          resolve();
        } else if (Date.now() - started > 30_000 || child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`writer did not make progress: ${err}`));
        }
      }, 20);
    });
    child.kill('SIGKILL');
    await exited;

    const acked = out
      .slice(0, out.lastIndexOf('\n')) // only whole lines: a line cut by the kill is not an ack
      .split('\n')
      .filter((l) => /^\S+ \d+ \d+$/.test(l))
      .map((l) => l.split(' '));
    expect(acked.length).toBeGreaterThanOrEqual(2000);
    const log = createEmbeddedEventLog(configFor(home, { segmentBytes: 65536 }));
    const offsets = await log.offsets('crash');
    const byPartition = new Map<number, Map<number, string>>();
    for (const p of offsets) {
      const ids = new Map<number, string>();
      for (let at = p.start; at < p.end; ) {
        const batch = await log.read('crash', p.partition, at, 5000);
        for (const r of batch) {
          expect(JSON.parse(r.value)).toHaveProperty('pad');
          ids.set(r.offset, r.id);
        }
        at += batch.length;
      }
      byPartition.set(p.partition, ids);
    }
    for (const [id, partition, offset] of acked) expect(byPartition.get(Number(partition))?.get(Number(offset))).toBe(id);
    const before = await total(log, 'crash');
    const again = await log.append('crash', [{ id: (acked[0] as string[])[0] as string, key: 'k0', timestamp: 1, value: '{}' }, { id: 'after-crash', key: 'k0', timestamp: 1, value: '{}' }]);
    expect(again.map((a) => a.status)).toEqual(['duplicate', 'appended']);
    expect(await total(log, 'crash')).toBe(before + 1);
    await log.close();
  });
});

describe('embedded event log shared by two processes', () => {
  it('sees the other writer’s records and ids (catch-up under the append lock)', async () => {
    const home = tempHome();
    const a = createEmbeddedEventLog(configFor(home));
    await a.ensureTopic('shared', { partitions: 2 });
    const b = createEmbeddedEventLog(configFor(home)); // a second "process" on the same folder
    await b.init();
    await a.append('shared', [rec('x-1', 'k1'), rec('x-2', 'k2')]);
    expect(await total(b, 'shared')).toBe(2);
    const fromB = await b.append('shared', [rec('x-2', 'k2'), rec('y-1', 'k1')]);
    expect(fromB.map((r) => r.status)).toEqual(['duplicate', 'appended']);
    const fromA = await a.append('shared', [rec('y-1', 'k1'), rec('x-3', 'k1')]);
    expect(fromA[0]?.status).toBe('duplicate');
    expect(fromA[1]).toMatchObject({ status: 'appended', offset: fromB[1]?.status === 'appended' ? fromB[1].offset + 1 : -1 });
    const c = await b.consumer({ group: 'tail', topic: 'shared' });
    const seen = await c.poll({ maxRecords: 10, maxWaitMs: 0 });
    expect(seen.map((r) => r.id).sort()).toEqual(['x-1', 'x-2', 'x-3', 'y-1']);
    await a.close();
    await b.close();
  });
});
