/**
 * Kafka adapter of the EventLog port (kafkajs).
 *
 * - Producer: idempotent (`idempotent: true`, maxInFlightRequests 1, acks -1), so its own
 *   retries never duplicate or reorder; key = record.key, partition from Kafka's default
 *   (murmur2) partitioner, record id in the `almanac-id` header.
 * - No 'idempotent-ids' capability: Kafka cannot drop a record because an earlier one had the
 *   same event_id; a batch retried after a partial failure may append some records twice.
 *   Downstream jobs dedupe by event id (idempotent upserts).
 * - No 'retention' capability: brokers apply `retention.ms` themselves (set by ensureTopic).
 * - Topics are created through the admin API (numPartitions, retention.ms); the brokers must
 *   not auto-create topics (auto.create.topics.enable=false) for ALMANAC_ERR_LOG_UNKNOWN_TOPIC.
 */
import { Kafka, logLevel, type Admin, type Producer, type SASLOptions } from 'kafkajs';
import type { AlmanacConfig } from '../../../core/config.ts';
import { AlmanacError, unsupported } from '../../../core/errors.ts';
import type { AppendAck, AppendRecord, ConsumerOptions, EventLog, EventLogCapability, LogConsumer, LogRecord, PartitionOffsets, ReplayBatch, ReplayOptions, TopicSpec } from '../event-log.ts';
import { replayBatchSize, replayRanges } from '../replay-range.ts';
import { fetchGroupOffsets, KafkaLogConsumer } from './kafka-consumer.ts';
import { kafkaError } from './kafka-errors.ts';
import { readPartition } from './kafka-partition-read.ts';
import { replayTopic } from './kafka-replay.ts';
import { acksFor, chunkMessages, toMessage } from './kafka-records.ts';

/** Builds the Kafka event log from `config.eventLog.kafka` (brokers, clientId, ssl, sasl). */
export function createKafkaEventLog(config: AlmanacConfig): EventLog {
  const { brokers, clientId, ssl, sasl } = config.eventLog.kafka;
  if (brokers.length === 0) {
    throw new AlmanacError('ALMANAC_ERR_CONFIG_MISSING_URL', 'ALMANAC_EVENT_LOG=kafka needs brokers: set KAFKA_BROKERS=host:9092[,host2:9092]');
  }
  const kafka = new Kafka({
    clientId,
    brokers,
    ssl,
    sasl: sasl as SASLOptions | undefined,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 5_000 },
    logLevel: logLevel.NOTHING,
  });
  return new KafkaEventLog(kafka, clientId);
}

class KafkaEventLog implements EventLog {
  readonly kind = 'kafka';
  readonly capabilities: ReadonlySet<EventLogCapability> = new Set<EventLogCapability>();
  private readonly admin: Admin;
  private readonly producer: Producer;
  private partitionCounts = new Map<string, number>();
  /** Open group members; close() makes them leave, as the embedded log does. */
  private readonly consumers = new Set<KafkaLogConsumer>();
  private connected = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly clientId: string,
  ) {
    this.admin = kafka.admin();
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  async init(): Promise<void> {
    if (this.connected) return;
    try {
      await this.admin.connect();
      await this.producer.connect();
      this.connected = true;
    } catch (err) {
      throw kafkaError(err, 'connect');
    }
  }

  async close(): Promise<void> {
    this.connected = false;
    // A member that only disconnected with the process would hold its partitions until its
    // session timed out (30 s): every later join of that group would wait for it.
    for (const c of [...this.consumers]) await c.close().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }

  async ensureTopic(topic: string, spec: TopicSpec): Promise<void> {
    try {
      if ((await this.admin.listTopics()).includes(topic)) return;
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: spec.partitions, configEntries: [{ name: 'retention.ms', value: String(spec.retentionMs ?? -1) }] }],
      });
    } catch (err) {
      if ((err as { type?: string }).type === 'TOPIC_ALREADY_EXISTS') return;
      throw kafkaError(err, 'create topic', { topic });
    }
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    await this.partitionCount(topic);
    try {
      const entries = await fetchTopicOffsetsFresh(this.admin, topic);
      return entries
        .map((e) => ({ partition: e.partition, start: Number(e.low), end: Number(e.high) }))
        .sort((a, b) => a.partition - b.partition);
    } catch (err) {
      throw kafkaError(err, 'offsets', { topic });
    }
  }

  /** Every partition of `topic` has a leader (appends to a leaderless one fail), with the event count. */
  async ping(topic: string): Promise<string> {
    const offsets = await this.offsets(topic);
    let leaderless: number[];
    try {
      const meta = await this.admin.fetchTopicMetadata({ topics: [topic] });
      leaderless = (meta.topics[0]?.partitions ?? []).filter((p) => p.leader < 0).map((p) => p.partitionId);
    } catch (err) {
      throw kafkaError(err, 'ping', { topic });
    }
    if (leaderless.length > 0) {
      throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `kafka topic ${topic}: partition(s) ${leaderless.join(', ')} have no leader; appends to them fail until a broker takes over`, { details: { topic, leaderless } });
    }
    return `${offsets.reduce((n, p) => n + p.end - p.start, 0)} events in ${offsets.length} partitions`;
  }

  async append(topic: string, records: AppendRecord[]): Promise<AppendAck[]> {
    if (records.length === 0) return [];
    const count = await this.partitionCount(topic);
    const messages = records.map((r) => toMessage(topic, r, count));
    const acks: AppendAck[] = [];
    for (const chunk of chunkMessages(messages)) {
      try {
        const metadata = await this.producer.send({ topic, acks: -1, messages: chunk });
        acks.push(...acksFor(chunk, metadata));
      } catch (err) {
        throw kafkaError(err, 'append', { topic, appendedBeforeFailure: acks.length });
      }
    }
    return acks;
  }

  async read(topic: string, partition: number, offset: number, maxRecords: number): Promise<LogRecord[]> {
    const all = await this.offsets(topic);
    const p = all.find((o) => o.partition === partition);
    if (!p || !Number.isInteger(offset) || offset < p.start || offset > p.end) {
      throw new AlmanacError('ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE', `offset ${offset} is outside ${topic}[${partition}]` +
        (p ? ` (start ${p.start}, end ${p.end})` : ` (the topic has ${all.length} partitions)`), { details: { topic, partition, offset, start: p?.start, end: p?.end } });
    }
    const until = Math.min(p.end, offset + Math.max(0, maxRecords));
    if (until <= offset) return [];
    return readPartition(this.kafka, this.admin, this.clientId, { topic, partition, offset, until, partitionCount: all.length });
  }

  async *replay(topic: string, options: ReplayOptions = {}): AsyncGenerator<ReplayBatch> {
    const size = replayBatchSize(options);
    const offsets = await this.offsets(topic);
    yield* replayTopic(this.kafka, this.admin, this.clientId, topic, offsets.length, replayRanges(topic, offsets, options), size);
  }

  async consumer(options: ConsumerOptions): Promise<LogConsumer> {
    await this.partitionCount(options.topic);
    const consumer = await KafkaLogConsumer.join(this.kafka, this.admin, options, (c) => this.consumers.delete(c));
    this.consumers.add(consumer);
    return consumer;
  }

  async groupOffsets(group: string, topic: string): Promise<Map<number, number>> {
    return fetchGroupOffsets(this.admin, group, topic);
  }

  async applyRetention(): Promise<number> {
    throw unsupported('kafka', "applyRetention (brokers enforce the topic's retention.ms themselves)");
  }

  /** Partition count of a topic (cached for the producer's partitioner). @throws ALMANAC_ERR_LOG_UNKNOWN_TOPIC */
  private async partitionCount(topic: string): Promise<number> {
    const cached = this.partitionCounts.get(topic);
    if (cached !== undefined) return cached;
    try {
      if (!(await this.admin.listTopics()).includes(topic)) {
        throw new AlmanacError('ALMANAC_ERR_LOG_UNKNOWN_TOPIC', `topic '${topic}' does not exist; create it with ensureTopic (or \`almanac ingest\`)`, { details: { topic } });
      }
      const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
      const count = topics.find((t) => t.name === topic)?.partitions.length ?? 0;
      this.partitionCounts.set(topic, count);
      return count;
    } catch (err) {
      throw kafkaError(err, 'topic metadata', { topic });
    }
  }
}

/** Errors that mean the client's idea of who leads a partition is out of date. */
const STALE_LEADER_TYPES = new Set(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * `admin.fetchTopicOffsets` with a metadata refresh on a stale leader. kafkajs retries it only on
 * an unknown topic; on NOT_LEADER_FOR_PARTITION (a topic just created, a leader just moved) it
 * gives up at once and keeps the stale metadata. Here the metadata of the topic is re-read and the
 * call retried, up to 8 times over about 6 s.
 */
export async function fetchTopicOffsetsFresh(admin: Admin, topic: string, attempts = 8): ReturnType<Admin['fetchTopicOffsets']> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (err) {
      const type = (err as { type?: string }).type ?? '';
      if (!STALE_LEADER_TYPES.has(type) || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** (attempt - 1), 2_000)));
      // fetchTopicMetadata refreshes the cluster's metadata of the topic, leaders included.
      await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
    }
  }
}
