/**
 * One topic of the embedded log: `<home>/log/<topic>/` with `topic.json` (partitions, retention),
 * a folder per partition, the idempotent-id checkpoint and the append lock. Appends of a topic are
 * serialised in-process and locked across processes; the id set is loaded on the first append.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AlmanacError, invalidInput } from '../../../core/errors.ts';
import { hash52, partitionOf } from '../../../core/stable-hash.ts';
import type { AppendAck, AppendRecord, LogRecord, PartitionOffsets, TopicSpec } from '../event-log.ts';
import { acquireAppendLock, probeAppendLock } from './append-lock.ts';
import { writeFileAtomicSync } from '../../../core/atomic-file.ts';
import { readIdCheckpoint, writeIdCheckpoint } from './id-checkpoint.ts';
import { IdSet } from './id-set.ts';
import { PartitionLog, type PartitionOptions } from './partition-log.ts';
import { bodyId, decodeRecord, type OutgoingRecord } from './record-codec.ts';

const CHECKPOINT_MIN_RECORDS = 500_000;

export interface TopicMeta {
  partitions: number;
  retentionMs?: number;
}

export class TopicLog {
  private partitions: PartitionLog[] = [];
  private ids: IdSet | undefined;
  private sinceCheckpoint = 0;
  private appending = false;
  private chain: Promise<unknown> = Promise.resolve();
  private waiters = new Set<() => void>();

  private constructor(
    readonly name: string,
    readonly dir: string,
    readonly meta: TopicMeta,
    private readonly options: PartitionOptions,
  ) {}

  static exists(dir: string): boolean {
    return existsSync(path.join(dir, 'topic.json'));
  }

  /** Writes the topic's metadata (when absent) and opens it. */
  static async create(name: string, dir: string, spec: TopicSpec, options: PartitionOptions): Promise<TopicLog> {
    if (!TopicLog.exists(dir)) {
      mkdirSync(dir, { recursive: true });
      const meta: TopicMeta = { partitions: spec.partitions, ...(spec.retentionMs === undefined ? {} : { retentionMs: spec.retentionMs }) };
      writeFileAtomicSync(path.join(dir, 'topic.json'), JSON.stringify(meta, null, 2), { fsync: options.fsync });
    }
    return TopicLog.open(name, dir, options);
  }

  /** Opens an existing topic, cutting torn tails (under the append lock). */
  static async open(name: string, dir: string, options: PartitionOptions): Promise<TopicLog> {
    let meta: TopicMeta;
    try {
      meta = JSON.parse(readFileSync(path.join(dir, 'topic.json'), 'utf8')) as TopicMeta;
    } catch (e) {
      const shown = path.posix.join('log', name, 'topic.json');
      throw new AlmanacError('ALMANAC_ERR_LOG_CORRUPT', `event log topic ${name}: cannot read ${shown}: ${(e as Error).message}; restore it from a backup (it holds {"partitions": N})`, { cause: e, details: { file: shown } });
    }
    const topic = new TopicLog(name, dir, meta, options);
    const release = await acquireAppendLock(topic.lockFile);
    try {
      for (let p = 0; p < meta.partitions; p++) topic.partitions.push(PartitionLog.open(name, p, path.join(dir, String(p)), options));
    } catch (e) {
      topic.close();
      throw e;
    } finally {
      release();
    }
    return topic;
  }

  private get lockFile(): string {
    return path.join(this.dir, 'append.lock');
  }

  private get checkpointFile(): string {
    return path.join(this.dir, 'ids.checkpoint');
  }

  partition(p: number): PartitionLog {
    const log = this.partitions[p];
    if (!Number.isInteger(p) || log === undefined) {
      throw new AlmanacError('ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE', `topic ${this.name} has no partition ${p} (partitions 0..${this.meta.partitions - 1})`, {
        details: { topic: this.name, partition: p },
      });
    }
    return log;
  }

  /** Offsets of every partition, including records appended by other processes. */
  offsets(): PartitionOffsets[] {
    if (!this.appending) for (const p of this.partitions) p.catchUp(false);
    return this.partitions.map((p) => ({ partition: p.partition, start: p.start, end: p.end }));
  }

  /** Reads up to `max` records of partition `p` from `offset`. */
  read(p: number, offset: number, max: number): LogRecord[] {
    const log = this.partition(p);
    if (offset >= log.end && !this.appending) log.catchUp(false);
    const out: LogRecord[] = [];
    const visit = (buf: Buffer, body: number, len: number): void => void out.push(decodeRecord(buf, body, len, this.name, p));
    log.forEach(offset, max, visit);
    // a short read reached the end we know of: another process may have appended since
    if (out.length < max && out.length > 0 && !this.appending && log.catchUp(false) > 0) log.forEach(offset + out.length, max - out.length, visit);
    return out;
  }

  /** Appends a batch; with `idempotent`, ids already in the topic (or earlier in the batch) are duplicates. */
  append(records: AppendRecord[], idempotent: boolean): Promise<AppendAck[]> {
    return this.serial(async () => {
      const release = await acquireAppendLock(this.lockFile);
      this.appending = true;
      try {
        this.catchUpUnderLock();
        if (idempotent && this.ids === undefined) this.loadIds();
        const { acks, byPartition, appended } = this.assign(records, idempotent);
        const appendTime = Date.now();
        const results = await Promise.allSettled(byPartition.map((rs, p) => (rs.length > 0 ? this.partition(p).append(rs, appendTime) : undefined)));
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) {
          this.ids = undefined; // rebuilt from the log on the next append
          throw failed.reason;
        }
        this.sinceCheckpoint += appended;
        if (this.ids && this.sinceCheckpoint >= Math.max(CHECKPOINT_MIN_RECORDS, this.ids.size / 2)) this.checkpointIds();
        return acks;
      } finally {
        this.appending = false;
        release();
        this.wake();
      }
    });
  }

  private assign(records: AppendRecord[], idempotent: boolean) {
    const acks = new Array<AppendAck>(records.length);
    const byPartition: OutgoingRecord[][] = this.partitions.map(() => []);
    const next = this.partitions.map((p) => p.end);
    let appended = 0;
    records.forEach((r, i) => checkRecord(r, i));
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as AppendRecord;
      if (idempotent && !(this.ids as IdSet).add(hash52(record.id))) {
        acks[i] = { status: 'duplicate', id: record.id };
        continue;
      }
      const partition = partitionOf(record.key, this.partitions.length);
      const offset = (next[partition] as number)++;
      (byPartition[partition] as OutgoingRecord[]).push({ record, offset });
      acks[i] = { status: 'appended', partition, offset };
      appended++;
    }
    return { acks, byPartition, appended };
  }

  /** Catches up with other processes' appends; their ids join the loaded id set. */
  private catchUpUnderLock(): void {
    for (const p of this.partitions) {
      const before = p.end;
      if (p.catchUp(true) > 0 && this.ids) this.scanIds(p, before, this.ids);
    }
  }

  private loadIds(): void {
    const checkpoint = readIdCheckpoint(this.checkpointFile, this.partitions.length);
    const usable = checkpoint !== undefined && checkpoint.offsets.every((o, i) => o <= (this.partitions[i] as PartitionLog).end);
    const ids = new IdSet(usable ? checkpoint.keys.length * 2 : 1 << 12);
    if (usable) for (const key of checkpoint.keys) ids.add(key);
    let scanned = 0;
    this.partitions.forEach((p, i) => {
      scanned += this.scanIds(p, usable ? Math.max(checkpoint.offsets[i] as number, p.start) : p.start, ids);
    });
    this.ids = ids;
    this.sinceCheckpoint = scanned;
  }

  private scanIds(p: PartitionLog, from: number, ids: IdSet): number {
    let at = from;
    while (at < p.end) at += p.forEach(at, 100_000, (buf, body) => void ids.add(hash52(bodyId(buf, body))));
    return at - from;
  }

  private checkpointIds(): void {
    if (!this.ids) return;
    writeIdCheckpoint(this.checkpointFile, { offsets: this.partitions.map((p) => p.end), keys: this.ids.keys() }, this.options.fsync);
    this.sinceCheckpoint = 0;
  }

  /** Removes closed segments older than the retention as of `now`; returns records removed. */
  applyRetention(now: number): Promise<number> {
    const retentionMs = this.meta.retentionMs;
    if (retentionMs === undefined) return Promise.resolve(0);
    return this.serial(async () => {
      const release = await acquireAppendLock(this.lockFile);
      try {
        this.catchUpUnderLock();
        return this.partitions.reduce((n, p) => n + p.removeOlderThan(now - retentionMs), 0);
      } finally {
        release();
      }
    });
  }

  /**
   * The health check of appends: the partitions' tails are read (a damaged one throws
   * ALMANAC_ERR_LOG_CORRUPT) and the append lock is probed, unless this process is appending.
   */
  async probe(): Promise<string> {
    const offsets = this.offsets();
    if (!this.appending) await probeAppendLock(this.lockFile, path.posix.join('log', this.name, 'append.lock'));
    return `${offsets.reduce((n, p) => n + p.end - p.start, 0)} events in ${offsets.length} partitions`;
  }

  /** Resolves after the next append in this process, or after `ms`. */
  waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Writes the id checkpoint (when it changed) and closes the files. */
  async close(): Promise<void> {
    await this.chain;
    if (this.ids && this.sinceCheckpoint > 0) this.checkpointIds();
    for (const p of this.partitions) p.close();
    this.partitions = [];
    this.wake();
  }
}

function checkRecord(r: AppendRecord, i: number): void {
  const bad = (field: string, reason: string) => invalidInput(`invalid log record ${i}: ${field} ${reason}`, [{ path: `${i}.${field}`, reason }]);
  if (typeof r.id !== 'string' || r.id.length === 0) throw bad('id', 'must be a non-empty string');
  if (typeof r.key !== 'string') throw bad('key', 'must be a string');
  if (typeof r.value !== 'string') throw bad('value', 'must be a string');
  if (typeof r.timestamp !== 'number' || !Number.isFinite(r.timestamp)) throw bad('timestamp', 'must be a finite number (epoch ms)');
}
