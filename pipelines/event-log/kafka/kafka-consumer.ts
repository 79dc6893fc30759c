/**
 * A kafkajs consumer behind the pull-style LogConsumer port.
 *
 * kafkajs pushes (`run({ eachBatch })`); the port pulls (`poll`). The bridge: eachBatch copies
 * the batch into a bounded in-memory queue and then waits (heart-beating) while the queue is
 * full, so kafkajs fetches no further than the caller consumes. `poll` drains the queue.
 * autoCommit is off: offsets are committed only by `commit`, after the caller's writes.
 *
 * Rebalances: on every group join kafkajs restarts each assigned partition from its committed
 * offset, so the queue is cleared (records of revoked partitions must not be processed here any
 * more; records of kept partitions will be fetched again). Records already polled but not
 * committed are delivered again — at least once; jobs dedupe by event id. Commits for partitions
 * no longer assigned are dropped (the new owner re-reads them).
 *
 * Kafka rebalances asynchronously: after a member joins or leaves, the others learn their new
 * assignment at their next heartbeat (≤ heartbeatInterval), not at once.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { AlmanacError } from '../../../core/errors.ts';
import type { ConsumerOptions, LogConsumer, LogRecord, PollOptions } from '../event-log.ts';
import { kafkaError } from './kafka-errors.ts';
import { fromMessage } from './kafka-records.ts';

const QUEUE_CAPACITY = 5_000;
/**
 * Group timings. A member that dies without leaving (kill -9, a broker restart under it) holds the
 * group until its session times out, and a rebalance waits up to the rebalance timeout for every
 * known member to rejoin: kafkajs's defaults (30 s, 60 s) kept a restarted stream job waiting over a
 * minute after a broker crash. A job polls far more often than every 10 s, so these are safe.
 */
const SESSION_TIMEOUT_MS = 10_000;
const REBALANCE_TIMEOUT_MS = 15_000;
const HEARTBEAT_INTERVAL_MS = 1_000;
/** Longer than a rebalance can take, so a join that waits for a dead member's timeout still succeeds. */
const JOIN_TIMEOUT_MS = 90_000;

export class KafkaLogConsumer implements LogConsumer {
  private queue: LogRecord[] = [];
  private assigned: number[] = [];
  /** Next offset expected per partition; older records (a refetch after seek) are dropped. */
  private expected = new Map<number, number>();
  private highWater = new Map<number, number>();
  private wakeups: (() => void)[] = [];
  private crashed: AlmanacError | undefined;
  private joined!: Promise<void>;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly consumer: Consumer,
    private readonly admin: Admin,
    private readonly options: ConsumerOptions,
    private readonly onClose: (c: KafkaLogConsumer) => void,
  ) {}

  /**
   * Connects, subscribes and waits for the first assignment. `onClose` runs once when the member
   * leaves (the log forgets it). @throws ALMANAC_ERR_STORE_UNAVAILABLE
   */
  static async join(kafka: Kafka, admin: Admin, options: ConsumerOptions, onClose: (c: KafkaLogConsumer) => void = () => undefined): Promise<KafkaLogConsumer> {
    const consumer = kafka.consumer({
      groupId: options.group, allowAutoTopicCreation: false, maxWaitTimeInMs: 500,
      sessionTimeout: SESSION_TIMEOUT_MS, rebalanceTimeout: REBALANCE_TIMEOUT_MS, heartbeatInterval: HEARTBEAT_INTERVAL_MS,
    });
    const self = new KafkaLogConsumer(consumer, admin, options, onClose);
    self.listen();
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [options.topic], fromBeginning: options.startFrom !== 'latest' });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: true, eachBatch: (p) => self.onBatch(p) });
      await self.joined;
    } catch (err) {
      await consumer.disconnect().catch(() => undefined);
      throw kafkaError(err, 'consumer join', { group: options.group, topic: options.topic });
    }
    return self;
  }

  private listen(): void {
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    let resolveJoin!: () => void;
    let rejectJoin!: (e: unknown) => void;
    this.joined = new Promise<void>((resolve, reject) => {
      resolveJoin = resolve;
      rejectJoin = reject;
    });
    this.joined.catch(() => undefined); // observed by join(); never an unhandled rejection
    const timer = setTimeout(() => rejectJoin(new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `kafka: group '${this.options.group}' got no assignment within ${JOIN_TIMEOUT_MS} ms`)), JOIN_TIMEOUT_MS);
    timer.unref();
    this.consumer.on(GROUP_JOIN, (event) => {
      this.assigned = [...(event.payload.memberAssignment[this.options.topic] ?? [])].sort((a, b) => a - b);
      this.queue = [];
      this.expected.clear();
      clearTimeout(timer);
      resolveJoin();
    });
    this.consumer.on(CRASH, (event) => {
      if (event.payload.restart) return;
      this.crashed = kafkaError(event.payload.error, 'consume', { group: this.options.group, topic: this.options.topic });
      rejectJoin(this.crashed);
      this.wake();
    });
  }

  private async onBatch({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (isStale() || !this.assigned.includes(batch.partition)) return;
    this.highWater.set(batch.partition, Number(batch.highWatermark));
    for (const message of batch.messages) {
      const record = fromMessage(batch.topic, batch.partition, message);
      const next = this.expected.get(batch.partition);
      if (next !== undefined && record.offset < next) continue;
      this.expected.set(batch.partition, record.offset + 1);
      this.queue.push(record);
    }
    this.wake();
    while (this.queue.length >= QUEUE_CAPACITY && isRunning() && !isStale()) {
      await this.waitForChange(1000);
      await heartbeat();
    }
  }

  assignment(): number[] {
    return [...this.assigned];
  }

  async poll({ maxRecords, maxWaitMs }: PollOptions): Promise<LogRecord[]> {
    if (this.crashed) throw this.crashed;
    if (this.queue.length === 0 && maxWaitMs > 0) await this.waitForChange(maxWaitMs);
    if (this.crashed) throw this.crashed;
    const out = this.queue.splice(0, Math.max(0, maxRecords));
    this.wake();
    return out;
  }

  async commit(offsets: { partition: number; offset: number }[]): Promise<void> {
    const mine = offsets.filter((o) => this.assigned.includes(o.partition));
    if (mine.length === 0) return;
    try {
      await this.consumer.commitOffsets(mine.map((o) => ({ topic: this.options.topic, partition: o.partition, offset: String(o.offset) })));
    } catch (err) {
      throw kafkaError(err, 'commit', { group: this.options.group, topic: this.options.topic });
    }
  }

  seek(partition: number, offset: number): void {
    const high = this.highWater.get(partition);
    if (!Number.isInteger(offset) || offset < 0 || (high !== undefined && offset > high) || !this.assigned.includes(partition)) {
      throw new AlmanacError('ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE', `cannot seek partition ${partition} of ${this.options.topic} to ${offset}` +
        (high !== undefined ? ` (end ${high})` : ''), { details: { topic: this.options.topic, partition, offset, end: high, assigned: this.assigned } });
    }
    this.queue = this.queue.filter((r) => r.partition !== partition);
    this.expected.set(partition, offset);
    this.consumer.seek({ topic: this.options.topic, partition, offset: String(offset) });
  }

  async committed(): Promise<Map<number, number | undefined>> {
    const byPartition = await fetchGroupOffsets(this.admin, this.options.group, this.options.topic);
    return new Map(this.assigned.map((p) => [p, byPartition.get(p)]));
  }

  /** Leaves the group (LeaveGroup: the others rebalance at once, not after the session timeout). Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.crashed ??= new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `kafka consumer of group '${this.options.group}' is closed`);
      this.wake();
      try {
        await this.consumer.disconnect();
      } finally {
        this.onClose(this);
      }
    })();
    return this.closing;
  }

  private wake(): void {
    for (const w of this.wakeups.splice(0)) w();
  }

  private waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeups.push(done);
    });
  }
}

/** Committed next-offsets of a group on a topic (partitions with none committed are left out). */
export async function fetchGroupOffsets(admin: Admin, group: string, topic: string): Promise<Map<number, number>> {
  try {
    const topics = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const out = new Map<number, number>();
    for (const p of topics.find((t) => t.topic === topic)?.partitions ?? []) {
      const offset = Number(p.offset);
      if (offset >= 0) out.set(p.partition, offset);
    }
    return out;
  } catch (err) {
    throw kafkaError(err, 'fetch group offsets', { group, topic });
  }
}
