/**
 * Adapter-agnostic behaviour of the EventLog port. Run by every adapter's test file:
 * `eventLogContract('embedded', () => …)`. Each test uses its own topic and group names (a shared
 * broker keeps groups between runs; a member a crashed run left behind would hold a fixed-name
 * group until its session times out), and closes every consumer it opened, even when it fails.
 * Group membership changes are waited for, bounded: a real broker rebalances at each member's
 * next heartbeat, not at once.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppendRecord, ConsumerOptions, EventLog, LogConsumer, LogRecord } from '../../pipelines/event-log/event-log.ts';

const topicName = (label: string): string => `contract.${label}.${randomUUID().slice(0, 8)}`;
const groupName = (label: string): string => `contract-${label}-${randomUUID().slice(0, 8)}`;

/** Upper bound on a rebalance: Kafka's members learn of it at their next heartbeat (3 s by default). */
const REBALANCE_MS = 30_000;

const rec = (id: string, key: string, timestamp = 1_700_000_000_000, value = `{"id":"${id}"}`): AppendRecord => ({ id, key, timestamp, value });

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ code });
}

/** Polls until `n` records arrived (or gives up after `rounds` polls). */
async function pollN(consumer: LogConsumer, n: number, rounds = 50): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for (let i = 0; i < rounds && out.length < n; i++) out.push(...(await consumer.poll({ maxRecords: n - out.length, maxWaitMs: 100 })));
  return out;
}

/** Polls every consumer (in turn) until `done(all records so far)` holds; fails after `timeoutMs`. */
async function pollUntil(consumers: LogConsumer[], done: (got: LogRecord[][]) => boolean, timeoutMs = 15_000): Promise<LogRecord[][]> {
  const got = consumers.map((): LogRecord[] => []);
  const deadline = Date.now() + timeoutMs;
  while (!done(got)) {
    if (Date.now() > deadline) throw new Error(`pollUntil: gave up after ${timeoutMs} ms with ${got.map((g) => g.length).join(' + ')} records`);
    for (const [i, c] of consumers.entries()) got[i]!.push(...(await c.poll({ maxRecords: 500, maxWaitMs: 50 })));
  }
  return got;
}

export function eventLogContract(name: string, make: () => Promise<EventLog>): void {
  describe(`EventLog contract: ${name}`, () => {
    const open: EventLog[] = [];
    const consumers: LogConsumer[] = [];
    const newLog = async (): Promise<EventLog> => {
      const log = await make();
      await log.init();
      open.push(log);
      return log;
    };
    /** Joins a group; afterEach closes the member even when the test failed. */
    const join = async (log: EventLog, options: ConsumerOptions): Promise<LogConsumer> => {
      const c = await log.consumer(options);
      consumers.push(c);
      return c;
    };
    afterEach(async () => {
      // Consumers first: a member left in a group delays the next join of that group.
      for (const c of consumers.splice(0)) await c.close().catch(() => undefined);
      for (const log of open.splice(0)) await log.close();
    });

    it('assigns dense offsets per partition and keeps one key in order on one partition', async () => {
      const log = await newLog();
      const topic = topicName('order');
      await log.ensureTopic(topic, { partitions: 3 });
      const records = Array.from({ length: 30 }, (_, i) => rec(`e-${i}`, `client-${i % 4}`));
      const acks = await log.append(topic, records);
      expect(acks).toHaveLength(30);
      const byKey = new Map<string, { partition: number; offset: number }[]>();
      acks.forEach((ack, i) => {
        expect(ack.status).toBe('appended');
        if (ack.status !== 'appended') return;
        const key = (records[i] as AppendRecord).key;
        byKey.set(key, [...(byKey.get(key) ?? []), ack]);
      });
      for (const [, list] of byKey) {
        expect(new Set(list.map((a) => a.partition)).size).toBe(1);
        const offsets = list.map((a) => a.offset);
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      }
      const offsets = await log.offsets(topic);
      expect(offsets).toHaveLength(3);
      expect(offsets.reduce((n, p) => n + p.end - p.start, 0)).toBe(30);
      for (const p of offsets) {
        const read = await log.read(topic, p.partition, 0, 100);
        expect(read.map((r) => r.offset)).toEqual(Array.from({ length: p.end }, (_, i) => i));
      }
    });

    it('ping checks that appends can go through and counts the events', async () => {
      const log = await newLog();
      const topic = topicName('ping');
      await log.ensureTopic(topic, { partitions: 2 });
      await log.append(topic, [rec('p-1', 'client-x'), rec('p-2', 'client-y')]);
      expect(await log.ping(topic)).toBe('2 events in 2 partitions');
    });

    it('routes the same key to the same partition across batches', async () => {
      const log = await newLog();
      const topic = topicName('keys');
      await log.ensureTopic(topic, { partitions: 4 });
      const a = await log.append(topic, [rec('k-1', 'client-x')]);
      const b = await log.append(topic, [rec('k-2', 'client-x')]);
      expect(a[0]).toMatchObject({ status: 'appended' });
      expect(b[0]).toMatchObject({ status: 'appended' });
      if (a[0]?.status === 'appended' && b[0]?.status === 'appended') {
        expect(b[0].partition).toBe(a[0].partition);
        expect(b[0].offset).toBe(a[0].offset + 1);
      }
    });

    it('reads records back intact in ranges and rejects offsets outside [start, end]', async () => {
      const log = await newLog();
      const topic = topicName('read');
      await log.ensureTopic(topic, { partitions: 1 });
      const records = Array.from({ length: 10 }, (_, i) => rec(`r-${i}`, 'c', 1_700_000_000_000 + i, JSON.stringify({ i, text: 'héllo, "wörld"' })));
      await log.append(topic, records);
      const all = await log.read(topic, 0, 0, 100);
      expect(all.map((r) => ({ id: r.id, key: r.key, timestamp: r.timestamp, value: r.value }))).toEqual(records);
      expect(all[0]).toMatchObject({ topic, partition: 0, offset: 0 });
      expect((await log.read(topic, 0, 3, 4)).map((r) => r.offset)).toEqual([3, 4, 5, 6]);
      expect(await log.read(topic, 0, 10, 5)).toEqual([]);
      await expectCode(log.read(topic, 0, 11, 5), 'ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE');
      await expectCode(log.read(topic, 0, -1, 5), 'ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE');
    });

    it('fails with ALMANAC_ERR_LOG_UNKNOWN_TOPIC for a topic that does not exist', async () => {
      const log = await newLog();
      const topic = topicName('missing');
      await expectCode(log.append(topic, [rec('x', 'c')]), 'ALMANAC_ERR_LOG_UNKNOWN_TOPIC');
      await expectCode(log.read(topic, 0, 0, 1), 'ALMANAC_ERR_LOG_UNKNOWN_TOPIC');
      await expectCode(log.offsets(topic), 'ALMANAC_ERR_LOG_UNKNOWN_TOPIC');
    });

    it('keeps the partition count of an existing topic', async () => {
      const log = await newLog();
      const topic = topicName('keep');
      await log.ensureTopic(topic, { partitions: 2 });
      await log.ensureTopic(topic, { partitions: 5 });
      expect(await log.offsets(topic)).toHaveLength(2);
    });

    it('resumes a consumer group from its committed offsets', async () => {
      const log = await newLog();
      const topic = topicName('group');
      const [g1, g2] = [groupName('g1'), groupName('g2')];
      await log.ensureTopic(topic, { partitions: 2 });
      await log.append(topic, Array.from({ length: 20 }, (_, i) => rec(`g-${i}`, `c-${i % 5}`)));
      const first = await join(log, { group: g1, topic });
      expect(first.assignment().sort()).toEqual([0, 1]);
      const got = await pollN(first, 20);
      expect(got).toHaveLength(20);
      const next = new Map<number, number>();
      for (const r of got) next.set(r.partition, Math.max(next.get(r.partition) ?? 0, r.offset + 1));
      await first.commit([...next].map(([partition, offset]) => ({ partition, offset })));
      expect(await first.committed()).toEqual(next);
      expect(await log.groupOffsets(g1, topic)).toEqual(next);
      await first.close();

      await log.append(topic, [rec('g-new', 'c-1')]);
      const second = await join(log, { group: g1, topic });
      const resumed = await pollN(second, 1);
      expect(resumed.map((r) => r.id)).toEqual(['g-new']);
      expect(await second.poll({ maxRecords: 10, maxWaitMs: 0 })).toEqual([]);
      await second.close();

      // A new group starting at 'latest' does not read the history (given time to fetch it).
      const other = await join(log, { group: g2, topic, startFrom: 'latest' });
      expect(await other.poll({ maxRecords: 10, maxWaitMs: 700 })).toEqual([]);
      await other.close();
    });

    it('splits partitions between two members of a group and rebalances when one leaves', async () => {
      const log = await newLog();
      const topic = topicName('split');
      const group = groupName('split');
      await log.ensureTopic(topic, { partitions: 4 });
      const a = await join(log, { group, topic });
      const b = await join(log, { group, topic });
      // Each member learns the new split on its own: wait until the two hold disjoint, covering shares.
      await vi.waitFor(() => {
        expect(a.assignment().length).toBeGreaterThan(0);
        expect(b.assignment().length).toBeGreaterThan(0);
        expect([...a.assignment(), ...b.assignment()].sort()).toEqual([0, 1, 2, 3]);
      }, { timeout: REBALANCE_MS, interval: 50 });
      const pa = a.assignment();
      const pb = b.assignment();
      await log.append(topic, Array.from({ length: 40 }, (_, i) => rec(`s-${i}`, `client-${i}`)));
      const [ga, gb] = (await pollUntil([a, b], ([x, y]) => x!.length + y!.length >= 40)) as [LogRecord[], LogRecord[]];
      expect(ga.every((r) => pa.includes(r.partition))).toBe(true);
      expect(gb.every((r) => pb.includes(r.partition))).toBe(true);
      expect(ga.length + gb.length).toBe(40);
      expect(new Set([...ga, ...gb].map((r) => r.id)).size).toBe(40);
      expect(await a.poll({ maxRecords: 10, maxWaitMs: 200 })).toEqual([]);
      expect(await b.poll({ maxRecords: 10, maxWaitMs: 0 })).toEqual([]);

      await b.close();
      await vi.waitFor(() => expect(a.assignment().sort()).toEqual([0, 1, 2, 3]), { timeout: REBALANCE_MS, interval: 50 });
      // The remaining member now reads every partition: new records on all of them reach it.
      const later = Array.from({ length: 40 }, (_, i) => rec(`s-late-${i}`, `client-${i}`));
      const acks = await log.append(topic, later);
      expect(new Set(acks.map((ack) => (ack.status === 'appended' ? ack.partition : -1)))).toEqual(new Set([0, 1, 2, 3]));
      const [after] = (await pollUntil([a], ([x]) => later.every((l) => x!.some((r) => r.id === l.id)))) as [LogRecord[]];
      expect(new Set(after.filter((r) => r.id.startsWith('s-late-')).map((r) => r.partition))).toEqual(new Set([0, 1, 2, 3]));
      await a.close();
    });

    it('wakes a waiting poll when records are appended', async () => {
      const log = await newLog();
      const topic = topicName('wake');
      await log.ensureTopic(topic, { partitions: 1 });
      const c = await join(log, { group: groupName('w'), topic });
      const waiting = c.poll({ maxRecords: 5, maxWaitMs: 10_000 });
      await new Promise((r) => setTimeout(r, 50));
      await log.append(topic, [rec('w-1', 'c')]);
      expect((await waiting).map((r) => r.id)).toEqual(['w-1']);
      await c.close();
    });

    it('replays from any offset after seek', async () => {
      const log = await newLog();
      const topic = topicName('seek');
      await log.ensureTopic(topic, { partitions: 1 });
      await log.append(topic, Array.from({ length: 5 }, (_, i) => rec(`sk-${i}`, 'c')));
      const c = await join(log, { group: groupName('sk'), topic });
      expect(await pollN(c, 5)).toHaveLength(5);
      c.seek(0, 2);
      expect((await pollN(c, 3)).map((r) => r.offset)).toEqual([2, 3, 4]);
      expect(() => c.seek(0, 99)).toThrow(expect.objectContaining({ code: 'ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE' }));
      await c.close();
    });

    it('replays a whole topic once: every record, in offset order per partition, in bounded batches', async () => {
      const log = await newLog();
      const topic = topicName('replay');
      await log.ensureTopic(topic, { partitions: 3 });
      const records = Array.from({ length: 250 }, (_, i) => rec(`rp-${i}`, `client-${i % 7}`, 1_700_000_000_000 + i * 1000, `{"n":${i}}`));
      await log.append(topic, records);
      const seen = new Map<number, number[]>();
      let batches = 0;
      for await (const batch of log.replay(topic, { batchSize: 40 })) {
        batches++;
        expect(batch.records.length).toBeGreaterThan(0);
        expect(batch.records.length).toBeLessThanOrEqual(40);
        for (const r of batch.records) {
          expect(r.partition).toBe(batch.partition);
          expect(r.topic).toBe(topic);
          seen.set(r.partition, [...(seen.get(r.partition) ?? []), r.offset]);
        }
      }
      const offsets = await log.offsets(topic);
      for (const o of offsets) {
        const got = seen.get(o.partition) ?? [];
        expect(got).toEqual(Array.from({ length: o.end - o.start }, (_, i) => o.start + i));
      }
      expect([...seen.values()].reduce((n, l) => n + l.length, 0)).toBe(250);
      expect(batches).toBeGreaterThanOrEqual(Math.ceil(250 / 40));
    });

    it('replays between given offsets, stops at the end it saw at the start, and rejects offsets outside a partition', async () => {
      const log = await newLog();
      const topic = topicName('replay-range');
      await log.ensureTopic(topic, { partitions: 1 });
      await log.append(topic, Array.from({ length: 10 }, (_, i) => rec(`rr-${i}`, 'c', 1_700_000_000_000 + i, `{"n":${i}}`)));
      const collect = async (options: Parameters<EventLog['replay']>[1]): Promise<LogRecord[]> => {
        const out: LogRecord[] = [];
        for await (const b of log.replay(topic, options)) out.push(...b.records);
        return out;
      };
      expect((await collect({ from: { 0: 3 }, to: { 0: 7 } })).map((r) => r.value)).toEqual(['{"n":3}', '{"n":4}', '{"n":5}', '{"n":6}']);
      expect(await collect({ from: { 0: 10 } })).toEqual([]);
      // Records appended during a replay are not part of it.
      const during: LogRecord[] = [];
      let appended = false;
      for await (const b of log.replay(topic, { batchSize: 4 })) {
        during.push(...b.records);
        if (!appended) {
          appended = true;
          await log.append(topic, [rec('rr-late', 'c')]);
        }
      }
      expect(during.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      await expectCode(collect({ from: { 0: 12 } }), 'ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE');
      await expectCode(collect({ to: { 5: 1 } }), 'ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE');
      await expectCode(collect({ from: { 0: 5 }, to: { 0: 2 } }), 'ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE');
      await expectCode(collect({ batchSize: 0 }), 'ALMANAC_ERR_INPUT_INVALID');
      await expectCode(log.replay(topicName('missing'))[Symbol.asyncIterator]().next(), 'ALMANAC_ERR_LOG_UNKNOWN_TOPIC');
    });

    it('releases a replay left early (break), so the log closes and replays again', async () => {
      const log = await newLog();
      const topic = topicName('replay-break');
      await log.ensureTopic(topic, { partitions: 2 });
      await log.append(topic, Array.from({ length: 50 }, (_, i) => rec(`rb-${i}`, `k-${i % 3}`)));
      for await (const b of log.replay(topic, { batchSize: 5 })) {
        expect(b.records.length).toBeGreaterThan(0);
        break;
      }
      let n = 0;
      for await (const b of log.replay(topic)) n += b.records.length;
      expect(n).toBe(50);
    });

    it('drops duplicate ids (across batches and within one) when it has idempotent-ids', async () => {
      const log = await newLog();
      if (!log.capabilities.has('idempotent-ids')) return;
      const topic = topicName('idem');
      await log.ensureTopic(topic, { partitions: 2 });
      const first = await log.append(topic, [rec('d-1', 'a'), rec('d-2', 'b'), rec('d-1', 'a')]);
      expect(first.map((a) => a.status)).toEqual(['appended', 'appended', 'duplicate']);
      const again = await log.append(topic, [rec('d-2', 'b'), rec('d-3', 'b')]);
      expect(again[0]).toEqual({ status: 'duplicate', id: 'd-2' });
      expect(again[1]?.status).toBe('appended');
      const total = (await log.offsets(topic)).reduce((n, p) => n + p.end - p.start, 0);
      expect(total).toBe(3);
    });
  });
}
