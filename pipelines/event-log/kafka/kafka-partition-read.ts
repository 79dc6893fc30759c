/**
 * `EventLog.read` on Kafka: a fetch of one partition from an offset, outside any real group.
 * kafkajs has no manual-assignment consumer, so this joins a throwaway group (unique id), seeks
 * the one partition, pauses the others, collects up to `maxRecords` and leaves, deleting the
 * group. It costs a group join (~100 ms with group.initial.rebalance.delay.ms=0, as in
 * deploy/compose.yaml), so it serves replays and inspection, not hot paths; jobs use consumers.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { AlmanacError } from '../../../core/errors.ts';
import type { LogRecord } from '../event-log.ts';
import { kafkaError } from './kafka-errors.ts';
import { fromMessage } from './kafka-records.ts';

const READ_TIMEOUT_MS = 30_000;

export interface PartitionRead {
  topic: string;
  partition: number;
  /** First offset to return. */
  offset: number;
  /** Offset after the last one to return (≤ the high watermark). */
  until: number;
  partitionCount: number;
}

export async function readPartition(kafka: Kafka, admin: Admin, clientId: string, read: PartitionRead): Promise<LogRecord[]> {
  const groupId = `${clientId}-read-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  const out: LogRecord[] = [];
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [read.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, isStale }) => {
        if (isStale() || batch.partition !== read.partition) return;
        for (const m of batch.messages) {
          const record = fromMessage(read.topic, read.partition, m);
          if (record.offset >= read.offset && record.offset < read.until && record.offset > (out.at(-1)?.offset ?? -1)) out.push(record);
        }
        if ((out.at(-1)?.offset ?? -1) >= read.until - 1) finish();
      },
    });
    const others = Array.from({ length: read.partitionCount }, (_, p) => p).filter((p) => p !== read.partition);
    if (others.length > 0) consumer.pause([{ topic: read.topic, partitions: others }]);
    consumer.seek({ topic: read.topic, partition: read.partition, offset: String(read.offset) });
    await Promise.race([done, timeout(read)]);
    return out;
  } catch (err) {
    throw kafkaError(err, 'read', { topic: read.topic, partition: read.partition, offset: read.offset });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
}

function timeout(read: PartitionRead): Promise<never> {
  return new Promise((_, reject) => {
    const t = setTimeout(
      () => reject(new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `kafka: reading ${read.topic}[${read.partition}] from ${read.offset} took over ${READ_TIMEOUT_MS} ms`)),
      READ_TIMEOUT_MS,
    );
    t.unref();
  });
}
