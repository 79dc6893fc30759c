/**
 * Consumer groups of the embedded log (one process): members of a group on a topic split its
 * partitions by range assignment, recomputed when a member joins or closes. Committed offsets
 * (the next offset to read, per partition) live in `<topic>/groups/<group>.json`, replaced
 * atomically on each commit.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { invalidInput } from '../../../core/errors.ts';
import type { ConsumerOptions, LogConsumer, LogRecord, PollOptions } from '../event-log.ts';
import { writeFileAtomicSync } from '../../../core/atomic-file.ts';
import type { TopicLog } from './topic-log.ts';

const NAME = /^[A-Za-z0-9._-]{1,200}$/;
/** How often a waiting poll looks for records appended by other processes (ms). */
const FOREIGN_POLL_MS = 200;

/** The committed offsets file of a group. */
export class GroupOffsets {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly fsync: boolean,
  ) {}

  static forTopic(topic: TopicLog, group: string, fsync: boolean): GroupOffsets {
    if (!NAME.test(group)) throw invalidInput(`invalid consumer group '${group}': use 1-200 of [A-Za-z0-9._-]`, [{ path: 'group', reason: 'invalid name' }]);
    return new GroupOffsets(path.join(topic.dir, 'groups', `${group}.json`), fsync);
  }

  read(): Map<number, number> {
    if (!existsSync(this.file)) return new Map();
    const raw = JSON.parse(readFileSync(this.file, 'utf8')) as { offsets: Record<string, number> };
    return new Map(Object.entries(raw.offsets).map(([p, o]) => [Number(p), o]));
  }

  /** Merges `offsets` into the file (durable on resolve when fsync is on). */
  commit(offsets: { partition: number; offset: number }[]): Promise<void> {
    const run = this.chain.then(() => {
      const current = this.read();
      for (const { partition, offset } of offsets) current.set(partition, offset);
      mkdirSync(path.dirname(this.file), { recursive: true });
      const body = { offsets: Object.fromEntries([...current].sort((a, b) => a[0] - b[0])), updatedAt: new Date().toISOString() };
      writeFileAtomicSync(this.file, JSON.stringify(body, null, 2), { fsync: this.fsync });
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/** Members of one group on one topic, in join order. */
export class GroupMembership {
  private readonly members: EmbeddedConsumer[] = [];

  constructor(readonly partitions: number) {}

  join(member: EmbeddedConsumer): void {
    this.members.push(member);
    this.rebalance();
  }

  leave(member: EmbeddedConsumer): void {
    const i = this.members.indexOf(member);
    if (i >= 0) this.members.splice(i, 1);
    this.rebalance();
  }

  get size(): number {
    return this.members.length;
  }

  /** Range assignment: member i of m gets partitions [floor(i·P/m), floor((i+1)·P/m)). */
  private rebalance(): void {
    const m = this.members.length;
    this.members.forEach((member, i) => {
      const from = Math.floor((i * this.partitions) / m);
      const to = Math.floor(((i + 1) * this.partitions) / m);
      member.assign(Array.from({ length: to - from }, (_, k) => from + k));
    });
  }
}

export class EmbeddedConsumer implements LogConsumer {
  private assigned: number[] = [];
  private readonly positions = new Map<number, number>();
  private rotation = 0;
  private closed = false;

  constructor(
    private readonly topic: TopicLog,
    private readonly options: ConsumerOptions,
    private readonly offsets: GroupOffsets,
    private readonly onClose: (c: EmbeddedConsumer) => void,
  ) {}

  assignment(): number[] {
    return [...this.assigned];
  }

  /** Called by the group on rebalance; positions of kept partitions stay, new ones start from the commit. */
  assign(partitions: number[]): void {
    for (const p of [...this.positions.keys()]) if (!partitions.includes(p)) this.positions.delete(p);
    this.assigned = partitions;
  }

  async poll({ maxRecords, maxWaitMs }: PollOptions): Promise<LogRecord[]> {
    const deadline = Date.now() + Math.max(0, maxWaitMs);
    for (;;) {
      const records = this.fetch(Math.max(1, maxRecords));
      const left = deadline - Date.now();
      if (records.length > 0 || left <= 0 || this.closed) return records;
      await this.topic.waitForData(Math.min(left, FOREIGN_POLL_MS));
    }
  }

  private fetch(max: number): LogRecord[] {
    const out: LogRecord[] = [];
    const n = this.assigned.length;
    for (let k = 0; k < n && out.length < max; k++) {
      const p = this.assigned[(this.rotation + k) % n] as number;
      const records = this.topic.read(p, this.position(p), max - out.length);
      if (records.length > 0) this.positions.set(p, (records[records.length - 1] as LogRecord).offset + 1);
      for (const r of records) out.push(r);
    }
    this.rotation = n > 0 ? (this.rotation + 1) % n : 0;
    return out;
  }

  /** Current position: in memory, else committed, else earliest/latest; reset into range if retention moved the start. */
  private position(p: number): number {
    const log = this.topic.partition(p);
    let pos = this.positions.get(p);
    if (pos === undefined) pos = this.offsets.read().get(p) ?? (this.options.startFrom === 'latest' ? log.end : log.start);
    if (pos < log.start) pos = log.start;
    if (pos > log.end) log.catchUp(false);
    if (pos > log.end) pos = log.end;
    this.positions.set(p, pos);
    return pos;
  }

  async commit(offsets: { partition: number; offset: number }[]): Promise<void> {
    for (const { partition, offset } of offsets) {
      this.topic.partition(partition);
      if (!Number.isInteger(offset) || offset < 0) throw invalidInput(`commit offset ${offset} of partition ${partition} must be an integer ≥ 0`, [{ path: 'offset', reason: 'must be an integer ≥ 0' }]);
    }
    await this.offsets.commit(offsets);
  }

  seek(partition: number, offset: number): void {
    if (!this.assigned.includes(partition)) {
      throw invalidInput(`cannot seek partition ${partition}: not assigned to this consumer (assigned: ${this.assigned.join(', ') || 'none'})`, [{ path: 'partition', reason: 'not assigned' }]);
    }
    this.topic.partition(partition).checkOffset(offset);
    this.positions.set(partition, offset);
  }

  async committed(): Promise<Map<number, number | undefined>> {
    const all = this.offsets.read();
    return new Map(this.assigned.map((p) => [p, all.get(p)]));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
  }
}
