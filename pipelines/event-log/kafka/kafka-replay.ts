/**
 * `EventLog.replay` on Kafka: one consumer for the whole replay. kafkajs has no manual-assignment
 * consumer, so the replay joins a group of its own (unique id, never committed, deleted at the
 * end), seeks every partition to its start offset, pauses the partitions that have nothing to
 * replay and each one as it reaches its end, and hands batches to the caller through a one-slot
 * hand-off: eachBatch waits (heart-beating) until the caller has taken the previous batch, so
 * kafkajs fetches no further than the caller consumes. Breaking out of the loop disconnects.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, EachBatchPayload, Kafka } from 'kafkajs';
import { AlmanacError } from '../../../core/errors.ts';
import type { ReplayBatch } from '../event-log.ts';
import type { ReplayRange } from '../replay-range.ts';
import { kafkaError } from './kafka-errors.ts';
import { fromMessage } from './kafka-records.ts';

/** How long a replay may go without receiving a record before it fails as unavailable. */
const STALL_MS = 30_000;

export async function* replayTopic(kafka: Kafka, admin: Admin, clientId: string, topic: string, partitionCount: number, ranges: ReplayRange[], batchSize: number): AsyncGenerator<ReplayBatch> {
  if (ranges.length === 0) return;
  const groupId = `${clientId}-replay-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200, maxBytesPerPartition: 4 * 1024 * 1024 });
  const next = new Map(ranges.map((r) => [r.partition, r.from]));
  const end = new Map(ranges.map((r) => [r.partition, r.to]));
  const pending: ReplayBatch[] = [];
  let failure: AlmanacError | undefined;
  let wake: (() => void) | undefined;
  const signal = () => { const w = wake; wake = undefined; w?.(); };
  const waitForSignal = (ms: number) => new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    wake = () => { clearTimeout(t); resolve(); };
  });
  let stopped = false;

  const onBatch = async ({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> => {
    const p = batch.partition;
    const stop = end.get(p);
    if (stop === undefined || isStale()) return;
    let records = [];
    for (const m of batch.messages) {
      const offset = Number(m.offset);
      if (offset < (next.get(p) as number) || offset >= stop) continue;
      records.push(fromMessage(topic, p, m));
    }
    if (records.length === 0) return;
    next.set(p, (records[records.length - 1]?.offset as number) + 1);
    if ((next.get(p) as number) >= stop) {
      end.delete(p);
      consumer.pause([{ topic, partitions: [p] }]);
    }
    for (let i = 0; i < records.length; i += batchSize) pending.push({ partition: p, records: records.slice(i, i + batchSize) });
    records = [];
    signal();
    while (pending.length > 0 && isRunning() && !isStale() && !stopped) {
      await new Promise((r) => setTimeout(r, 5));
      if (pending.length > 0) await heartbeat();
    }
  };

  try {
    try {
      consumer.on(consumer.events.CRASH, (event) => {
        if (event.payload.restart) return;
        failure = kafkaError(event.payload.error, 'replay', { topic });
        signal();
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatch: onBatch });
      const idle = Array.from({ length: partitionCount }, (_, p) => p).filter((p) => !end.has(p));
      if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
      for (const r of ranges) consumer.seek({ topic, partition: r.partition, offset: String(r.from) });
    } catch (err) {
      throw kafkaError(err, 'replay', { topic });
    }
    let lastProgress = Date.now();
    while (end.size > 0 || pending.length > 0) {
      const batch = pending.shift();
      if (batch) {
        lastProgress = Date.now();
        yield batch;
        continue;
      }
      if (failure) throw failure;
      if (Date.now() - lastProgress > STALL_MS) {
        throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `kafka: replay of ${topic} received nothing for ${STALL_MS} ms (partitions left: ${[...end.keys()].join(', ')})`, { details: { topic } });
      }
      await waitForSignal(500);
    }
  } finally {
    stopped = true;
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
}
