import type { Admin } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { fetchTopicOffsetsFresh } from '../../pipelines/event-log/kafka/kafka-event-log.ts';

const offsets = [{ partition: 0, offset: '3', high: '3', low: '0' }];
const protocolError = (type: string) => Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type, retriable: true });

function fakeAdmin(failures: string[]) {
  const fetchTopicOffsets = vi.fn(async () => {
    const type = failures.shift();
    if (type) throw protocolError(type);
    return offsets;
  });
  const fetchTopicMetadata = vi.fn(async () => ({ topics: [] }));
  return { admin: { fetchTopicOffsets, fetchTopicMetadata } as unknown as Admin, fetchTopicOffsets, fetchTopicMetadata };
}

describe('offsets of a topic whose leader the client has stale (kafkajs bails on it)', () => {
  it('re-reads the topic metadata and retries on NOT_LEADER_FOR_PARTITION and LEADER_NOT_AVAILABLE', async () => {
    const { admin, fetchTopicOffsets, fetchTopicMetadata } = fakeAdmin(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE']);
    await expect(fetchTopicOffsetsFresh(admin, 't')).resolves.toEqual(offsets);
    expect(fetchTopicOffsets).toHaveBeenCalledTimes(3);
    expect(fetchTopicMetadata).toHaveBeenCalledTimes(2);
    expect(fetchTopicMetadata).toHaveBeenCalledWith({ topics: ['t'] });
  });

  it('gives up after the last attempt with the broker error', async () => {
    const { admin, fetchTopicOffsets } = fakeAdmin(['NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_FOR_PARTITION']);
    await expect(fetchTopicOffsetsFresh(admin, 't', 3)).rejects.toMatchObject({ type: 'NOT_LEADER_FOR_PARTITION' });
    expect(fetchTopicOffsets).toHaveBeenCalledTimes(3);
  });

  it('does not retry any other error', async () => {
    const { admin, fetchTopicOffsets, fetchTopicMetadata } = fakeAdmin(['UNKNOWN_TOPIC_OR_PARTITION']);
    await expect(fetchTopicOffsetsFresh(admin, 't')).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    expect(fetchTopicOffsets).toHaveBeenCalledTimes(1);
    expect(fetchTopicMetadata).not.toHaveBeenCalled();
  });
});
