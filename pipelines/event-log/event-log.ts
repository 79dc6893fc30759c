/**
 * EventLog port: a durable, partitioned, append-only log shaped after Kafka's semantics so that
 * the kafkajs adapter is a thin mapping.
 *
 * - A topic has N partitions; a record goes to the partition of its `key` (Almanac keys by client,
 *   so one client's events stay in order).
 * - Offsets are per partition, dense, starting at 0 (`number`; Kafka's int64 offsets fit 2^53).
 * - Consumers belong to a group; the group's committed offset per partition is the *next* offset
 *   to read (Kafka convention). Consumers pull (`poll`) and commit explicitly, so a job commits only
 *   after its own writes are durable.
 * - Every record carries a stable `id` (the event_id). Adapters with the `idempotent-ids`
 *   capability never store the same id twice in a topic and report it as `duplicate`.
 *
 * Adapters: `embedded/` (segmented files on disk) and `kafka/` (kafkajs).
 */

export type EventLogCapability =
  /** append() drops records whose id is already in the topic and reports them as duplicates. */
  | 'idempotent-ids'
  /** applyRetention() removes whole segments older than the retention. */
  | 'retention';

export interface AppendRecord {
  /** Stable id (event_id); the idempotency key. */
  id: string;
  /** Partition key (client_id). */
  key: string;
  /** Event time, epoch ms. */
  timestamp: number;
  /** Serialized payload (JSON text of the validated event). */
  value: string;
}

export type AppendAck =
  | { status: 'appended'; partition: number; offset: number }
  | { status: 'duplicate'; id: string };

export interface LogRecord extends AppendRecord {
  topic: string;
  partition: number;
  offset: number;
}

export interface PartitionOffsets {
  partition: number;
  /** First offset still in the log (after retention). */
  start: number;
  /** Next offset to be written (high watermark). */
  end: number;
}

export interface TopicSpec {
  partitions: number;
  /** Records older than this (by append time) may be removed by retention; undefined keeps forever. */
  retentionMs?: number;
}

export interface ConsumerOptions {
  group: string;
  topic: string;
  /**
   * Where to start a partition that has no committed offset: 'earliest' (default) or 'latest'.
   * 'latest' is the partition's end when this member first reads it (the embedded log: its first
   * poll; Kafka: its first fetch after the join, asynchronous), not when consumer() resolved:
   * records appended in between may be skipped.
   */
  startFrom?: 'earliest' | 'latest';
}

export interface PollOptions {
  /** Upper bound on records returned by one poll. */
  maxRecords: number;
  /** How long (ms) to wait for records when none are available; 0 returns at once. */
  maxWaitMs: number;
}

export interface LogConsumer {
  /** Partitions currently assigned to this member (changes on rebalance). */
  assignment(): number[];
  /**
   * Next records from the assigned partitions, in offset order within each partition.
   * Positions advance in memory only; call commit() after processing.
   */
  poll(options: PollOptions): Promise<LogRecord[]>;
  /**
   * Commits, per partition, the next offset to read. Durable when the promise resolves.
   * @throws AlmanacError ALMANAC_ERR_STORE_UNAVAILABLE (retriable) when the log cannot be reached.
   */
  commit(offsets: { partition: number; offset: number }[]): Promise<void>;
  /** Moves the in-memory position of a partition (replay from any offset). */
  seek(partition: number, offset: number): void;
  /** Committed next-offsets per assigned partition (undefined = none committed). */
  committed(): Promise<Map<number, number | undefined>>;
  /** Leaves the group. */
  close(): Promise<void>;
}

export interface ReplayOptions {
  /** First offset per partition (default: each partition's start). */
  from?: Readonly<Record<number, number>>;
  /** Offset to stop before, per partition (default: each partition's end when the replay starts). */
  to?: Readonly<Record<number, number>>;
  /** Upper bound on records per batch (default 2000). */
  batchSize?: number;
}

/** One step of a replay: records of one partition, in offset order. */
export interface ReplayBatch {
  partition: number;
  records: LogRecord[];
}

export interface EventLog {
  /** Adapter key ('embedded', 'kafka'). */
  readonly kind: string;
  readonly capabilities: ReadonlySet<EventLogCapability>;
  /** Opens files/connections; for the embedded log, recovers torn tails. Idempotent. */
  init(): Promise<void>;
  /** Closes the log; its open consumers leave their groups first (the others rebalance). */
  close(): Promise<void>;
  /** Creates the topic if it does not exist; an existing topic keeps its partition count. */
  ensureTopic(topic: string, spec: TopicSpec): Promise<void>;
  /** Partition count and offsets of a topic. @throws ALMANAC_ERR_LOG_UNKNOWN_TOPIC */
  offsets(topic: string): Promise<PartitionOffsets[]>;
  /**
   * Appends records (a batch); each is durable (fsynced or acknowledged by the brokers) when the
   * promise resolves. Acks are in input order.
   * @throws ALMANAC_ERR_LOG_UNKNOWN_TOPIC, ALMANAC_ERR_STORE_UNAVAILABLE (retriable)
   */
  append(topic: string, records: AppendRecord[]): Promise<AppendAck[]>;
  /**
   * Reads up to `maxRecords` records of one partition from `offset` (a fetch), without any group.
   * @throws ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE when `offset` is before the start (retention) or after the end.
   */
  read(topic: string, partition: number, offset: number, maxRecords: number): Promise<LogRecord[]>;
  /**
   * Bulk read of a topic: every partition from `from` to `to` (by default the whole topic as it
   * is when the replay starts), without a consumer group's commits. Batches of one partition come
   * in offset order; partitions interleave (the embedded log advances the partition furthest
   * behind in event time; Kafka in fetch order). One connection/consumer serves the whole replay;
   * breaking out of the loop releases it.
   * @throws ALMANAC_ERR_LOG_UNKNOWN_TOPIC, ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE (a `from`/`to` outside
   *   [start, end]), ALMANAC_ERR_STORE_UNAVAILABLE (retriable) — on the first iteration step.
   */
  replay(topic: string, options?: ReplayOptions): AsyncIterable<ReplayBatch>;
  /** Joins a consumer group on a topic; partitions are assigned among the group's live members. */
  consumer(options: ConsumerOptions): Promise<LogConsumer>;
  /** Committed next-offsets of a group (for lag), by partition. */
  groupOffsets(group: string, topic: string): Promise<Map<number, number>>;
  /**
   * Optional ('retention'): removes data older than the topic's retention as of `now` (epoch ms).
   * @returns the number of records removed. @throws ALMANAC_ERR_UNSUPPORTED when not supported.
   */
  applyRetention(topic: string, now?: number): Promise<number>;
  /**
   * Health check of writes to `topic`, for /health/ready: whether an append could go through now
   * (embedded: the topic's files open and the cross-process append lock is obtainable within
   * ~0.5 s; kafka: every partition has a leader). Resolves with what it saw (event counts).
   * @throws ALMANAC_ERR_STORE_UNAVAILABLE (the lock is held by another live process, no leader, no
   *   connection), ALMANAC_ERR_LOG_CORRUPT (a damaged segment; the message names the file and the fix)
   */
  ping(topic: string): Promise<string>;
}

/** The topic every event goes to. */
export const EVENTS_TOPIC = 'almanac.events';
