import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaError } from '../../pipelines/event-log/kafka/kafka-errors.ts';
import { acksFor, chunkMessages, fromMessage, ID_HEADER, partitionFor, toMessage } from '../../pipelines/event-log/kafka/kafka-records.ts';

describe('kafka record mapping', () => {
  it('routes a key to one stable partition within range, spreading many keys', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const p = partitionFor('t', `client-${i}`, 8);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(8);
      expect(partitionFor('t', `client-${i}`, 8)).toBe(p);
      seen.add(p);
    }
    expect(seen.size).toBe(8);
  });

  it('builds a message with key, value, CreateTime, explicit partition and the id header', () => {
    const m = toMessage('t', { id: 'e-1', key: 'client-1', timestamp: 1_700_000_000_123, value: '{"a":1}' }, 4);
    expect(m).toEqual({ key: 'client-1', value: '{"a":1}', partition: partitionFor('t', 'client-1', 4), timestamp: '1700000000123', headers: { [ID_HEADER]: 'e-1' } });
  });

  it('derives per-record acks in input order from per-partition base offsets', () => {
    const messages = [{ partition: 1 }, { partition: 0 }, { partition: 1 }, { partition: 1 }, { partition: 0 }].map((m) => ({ ...m, value: 'x' }));
    const acks = acksFor(messages, [
      { topicName: 't', partition: 0, errorCode: 0, baseOffset: '10' },
      { topicName: 't', partition: 1, errorCode: 0, baseOffset: '0' },
    ]);
    expect(acks).toEqual([
      { status: 'appended', partition: 1, offset: 0 },
      { status: 'appended', partition: 0, offset: 10 },
      { status: 'appended', partition: 1, offset: 1 },
      { status: 'appended', partition: 1, offset: 2 },
      { status: 'appended', partition: 0, offset: 11 },
    ]);
    expect(() => acksFor([{ partition: 3, value: 'x' }], [])).toThrow(/no offset for partition 3/);
  });

  it('reads the id from the header, else the event_id in the value, else topic-partition-offset', () => {
    const msg = (value: string, headers?: KafkaMessage['headers']) =>
      ({ key: Buffer.from('c'), timestamp: '1700', attributes: 0, offset: '42', size: 0, value: Buffer.from(value), headers }) as unknown as KafkaMessage;
    expect(fromMessage('t', 2, msg('{"event_id":"x"}', { [ID_HEADER]: Buffer.from('h-1') }))).toEqual({
      topic: 't', partition: 2, offset: 42, id: 'h-1', key: 'c', timestamp: 1700, value: '{"event_id":"x"}',
    });
    expect(fromMessage('t', 2, msg('{"event_id":"ev-9"}')).id).toBe('ev-9');
    expect(fromMessage('t', 2, msg('not json')).id).toBe('t-2-42');
  });

  it('chunks large batches by count and by bytes, keeping order', () => {
    const messages = Array.from({ length: 1200 }, (_, i) => ({ value: String(i) }));
    const byCount = chunkMessages(messages, 500);
    expect(byCount.map((c) => c.length)).toEqual([500, 500, 200]);
    expect(byCount.flat()).toEqual(messages);
    const big = Array.from({ length: 10 }, () => ({ value: 'x'.repeat(300_000) }));
    expect(chunkMessages(big).every((c) => c.length === 1)).toBe(true);
  });
});

describe('kafka error mapping', () => {
  const err = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name, ...extra });

  it('maps connection problems and retriable errors to a retriable STORE_UNAVAILABLE', () => {
    for (const e of [err('KafkaJSConnectionError'), err('KafkaJSRequestTimeoutError'), err('KafkaJSNumberOfRetriesExceeded'), err('KafkaJSProtocolError', { retriable: true, type: 'LEADER_NOT_AVAILABLE' })]) {
      expect(kafkaError(e, 'append', { topic: 't' })).toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE', retriable: true, details: { dependency: 'kafka', topic: 't' } });
    }
  });

  it('keeps unknown-topic and out-of-range apart, and the rest internal', () => {
    expect(kafkaError(err('KafkaJSProtocolError', { type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true }), 'append').code).toBe('ALMANAC_ERR_LOG_UNKNOWN_TOPIC');
    expect(kafkaError(err('KafkaJSOffsetOutOfRange'), 'read').code).toBe('ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE');
    expect(kafkaError(err('KafkaJSProtocolError', { type: 'INVALID_REPLICATION_FACTOR' }), 'create').code).toBe('ALMANAC_ERR_INTERNAL');
  });
});
