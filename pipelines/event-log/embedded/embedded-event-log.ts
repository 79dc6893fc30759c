/**
 * Embedded EventLog: segmented append-only files under `<home>/log/<topic>/`, Kafka-shaped
 * (partitions by key, dense offsets, consumer groups with committed offsets), crash-safe
 * (CRC-framed records, torn tails cut on open, fsync before ack) and idempotent on record ids.
 * See the files beside this one for the on-disk layout.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { homePath, type AlmanacConfig } from '../../../core/config.ts';
import { AlmanacError, invalidInput } from '../../../core/errors.ts';
import type { AppendAck, AppendRecord, ConsumerOptions, EventLog, EventLogCapability, LogConsumer, LogRecord, PartitionOffsets, ReplayBatch, ReplayOptions, TopicSpec } from '../event-log.ts';
import { replayBatchSize, replayByReads, replayRanges } from '../replay-range.ts';
import { EmbeddedConsumer, GroupMembership, GroupOffsets } from './consumer-group.ts';
import type { PartitionOptions } from './partition-log.ts';
import { TopicLog } from './topic-log.ts';

const TOPIC_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,200}$/;

export function createEmbeddedEventLog(config: AlmanacConfig): EventLog {
  return new EmbeddedEventLog(homePath(config, 'log'), { segmentBytes: config.eventLog.segmentBytes, fsync: config.eventLog.fsync === 'always' });
}

class EmbeddedEventLog implements EventLog {
  readonly kind = 'embedded';
  readonly capabilities: ReadonlySet<EventLogCapability> = new Set<EventLogCapability>(['idempotent-ids', 'retention']);
  private readonly topics = new Map<string, Promise<TopicLog>>();
  private readonly groups = new Map<string, GroupMembership>();
  private readonly consumers = new Set<LogConsumer>();
  private initialised: Promise<void> | undefined;

  constructor(
    private readonly root: string,
    private readonly options: PartitionOptions,
  ) {}

  init(): Promise<void> {
    this.initialised ??= (async () => {
      mkdirSync(this.root, { recursive: true });
      for (const name of readdirSync(this.root)) {
        if (TOPIC_NAME.test(name) && TopicLog.exists(path.join(this.root, name))) await this.openTopic(name);
      }
    })();
    return this.initialised;
  }

  async close(): Promise<void> {
    for (const c of [...this.consumers]) await c.close();
    const topics = await Promise.allSettled(this.topics.values());
    this.topics.clear();
    for (const t of topics) if (t.status === 'fulfilled') await t.value.close();
    this.initialised = undefined;
  }

  async ensureTopic(topic: string, spec: TopicSpec): Promise<void> {
    await this.init();
    checkTopicName(topic);
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1 || spec.partitions > 1024) {
      throw invalidInput(`topic ${topic}: partitions must be an integer in 1..1024, got ${spec.partitions}`, [{ path: 'partitions', reason: 'must be an integer in 1..1024' }]);
    }
    if (this.topics.has(topic) || TopicLog.exists(this.dir(topic))) {
      await this.topic(topic);
      return;
    }
    const created = TopicLog.create(topic, this.dir(topic), spec, this.options);
    this.topics.set(topic, created);
    created.catch(() => this.topics.delete(topic));
    await created;
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    return (await this.topic(topic)).offsets();
  }

  async append(topic: string, records: AppendRecord[]): Promise<AppendAck[]> {
    const t = await this.topic(topic);
    if (records.length === 0) return [];
    return t.append(records, true);
  }

  async read(topic: string, partition: number, offset: number, maxRecords: number): Promise<LogRecord[]> {
    return (await this.topic(topic)).read(partition, offset, Math.max(0, Math.floor(maxRecords)));
  }

  async *replay(topic: string, options: ReplayOptions = {}): AsyncGenerator<ReplayBatch> {
    const t = await this.topic(topic);
    const size = replayBatchSize(options);
    yield* replayByReads(replayRanges(topic, t.offsets(), options), size, async (p, offset, max) => t.read(p, offset, max));
  }

  async consumer(options: ConsumerOptions): Promise<LogConsumer> {
    const topic = await this.topic(options.topic);
    const offsets = GroupOffsets.forTopic(topic, options.group, this.options.fsync);
    const key = `${options.topic}\u0000${options.group}`;
    const membership = this.groups.get(key) ?? new GroupMembership(topic.meta.partitions);
    this.groups.set(key, membership);
    const consumer = new EmbeddedConsumer(topic, options, offsets, (c) => {
      membership.leave(c);
      this.consumers.delete(c);
      if (membership.size === 0) this.groups.delete(key);
    });
    this.consumers.add(consumer);
    membership.join(consumer);
    return consumer;
  }

  async groupOffsets(group: string, topic: string): Promise<Map<number, number>> {
    const t = await this.topic(topic);
    return GroupOffsets.forTopic(t, group, this.options.fsync).read();
  }

  async applyRetention(topic: string, now = Date.now()): Promise<number> {
    return (await this.topic(topic)).applyRetention(now);
  }

  async ping(topic: string): Promise<string> {
    return (await this.topic(topic)).probe();
  }

  private dir(topic: string): string {
    return path.join(this.root, topic);
  }

  /** The open topic; opened lazily (it may have been created by another process). */
  private async topic(name: string): Promise<TopicLog> {
    await this.init();
    return this.openTopic(name);
  }

  private openTopic(name: string): Promise<TopicLog> {
    const open = this.topics.get(name);
    if (open) return open;
    checkTopicName(name);
    if (!existsSync(path.join(this.dir(name), 'topic.json'))) {
      throw new AlmanacError('ALMANAC_ERR_LOG_UNKNOWN_TOPIC', `unknown topic '${name}': create it first (ensureTopic) or ingest events`, { details: { topic: name } });
    }
    const opening = TopicLog.open(name, this.dir(name), this.options);
    this.topics.set(name, opening);
    opening.catch(() => this.topics.delete(name));
    return opening;
  }
}

function checkTopicName(topic: string): void {
  if (typeof topic !== 'string' || !TOPIC_NAME.test(topic)) {
    throw invalidInput(`invalid topic name '${String(topic)}': use 1-200 of [A-Za-z0-9._-]`, [{ path: 'topic', reason: 'invalid name' }]);
  }
}
