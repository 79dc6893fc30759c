/**
 * How our records travel in Kafka, as pure functions (unit-tested without a broker):
 * key = record.key (the client id), value = the JSON text, timestamp = event time (CreateTime),
 * header `almanac-id` = the record id. The partition is chosen by kafkajs's DefaultPartitioner
 * (murmur2, Java-compatible: the same key lands where a Java producer would put it) and set
 * explicitly, so each ack can name its partition and offset.
 */
import { Partitioners, type KafkaMessage, type Message, type PartitionMetadata, type RecordMetadata } from 'kafkajs';
import { AlmanacError } from '../../../core/errors.ts';
import type { AppendAck, AppendRecord, LogRecord } from '../event-log.ts';

export const ID_HEADER = 'almanac-id';

const partitioner = Partitioners.DefaultPartitioner();

/** The partition Kafka's default partitioner gives `key` among `partitionCount` partitions. */
export function partitionFor(topic: string, key: string, partitionCount: number): number {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitionCount }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return partitioner({ topic, partitionMetadata, message: { key, value: null } });
}

export function toMessage(topic: string, record: AppendRecord, partitionCount: number): Message {
  return {
    key: record.key,
    value: record.value,
    partition: partitionFor(topic, record.key, partitionCount),
    timestamp: String(record.timestamp),
    headers: { [ID_HEADER]: record.id },
  };
}

/**
 * Acks in input order: records of one send that share a partition are appended contiguously
 * from that partition's baseOffset, in the order they were sent.
 */
export function acksFor(messages: Message[], metadata: RecordMetadata[]): AppendAck[] {
  const base = new Map<number, number>();
  for (const m of metadata) base.set(m.partition, Number(m.baseOffset ?? m.offset));
  const used = new Map<number, number>();
  return messages.map((m) => {
    const partition = m.partition as number;
    const start = base.get(partition);
    if (start === undefined || Number.isNaN(start)) {
      throw new AlmanacError('ALMANAC_ERR_INTERNAL', `kafka returned no offset for partition ${partition}`, { details: { partition } });
    }
    const k = used.get(partition) ?? 0;
    used.set(partition, k + 1);
    return { status: 'appended', partition, offset: start + k };
  });
}

/** A fetched message → LogRecord. Records produced outside Almanac (no header) get their event_id, else topic-partition-offset. */
export function fromMessage(topic: string, partition: number, message: KafkaMessage): LogRecord {
  const value = message.value?.toString('utf8') ?? '';
  const header = message.headers?.[ID_HEADER];
  const headerText = Array.isArray(header) ? header[0]?.toString() : header?.toString();
  return {
    topic,
    partition,
    offset: Number(message.offset),
    id: headerText ?? eventIdOf(value) ?? `${topic}-${partition}-${message.offset}`,
    key: message.key?.toString('utf8') ?? '',
    timestamp: Number(message.timestamp),
    value,
  };
}

function eventIdOf(value: string): string | undefined {
  try {
    const parsed = JSON.parse(value) as { event_id?: unknown };
    return typeof parsed.event_id === 'string' ? parsed.event_id : undefined;
  } catch {
    return undefined;
  }
}

/** Splits a batch so no single produce request grows past ~512 KiB or 500 records. */
export function chunkMessages(messages: Message[], maxRecords = 500, maxBytes = 512 * 1024): Message[][] {
  const chunks: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = Buffer.byteLength(String(m.value ?? '')) + Buffer.byteLength(String(m.key ?? '')) + 64;
    if (current.length > 0 && (current.length >= maxRecords || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
