/**
 * OfflineStore on Parquet files written and queried in-process with DuckDB.
 *
 * Each append writes one new part file per date partition (temp name, then rename), with a
 * `written_at` sequence column; reads dedupe on (entity, timestamp) keeping the last written, so
 * appends are idempotent. replaceRange rebuilds whole date partitions in a fresh folder and swaps it
 * in by rename. asOf is a DuckDB ASOF join over the view's part files (point-in-time-join.ts).
 * Operations run one at a time on one connection, in call order.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { syncDir, syncFile } from '../../../core/atomic-file.ts';
import { homePath, type AlmanacConfig } from '../../../core/config.ts';
import { AlmanacError } from '../../../core/errors.ts';
import type { FeatureRow } from '../../feature-view.ts';
import { ALL_TIME, checkProbes, checkRange, checkRows, checkView, lastPerKey, VIEW_NAME } from '../offline-store-input.ts';
import type { AsOfProbe, CompactionReport, OfflineStore, TimeRange } from '../offline-store.ts';
import { datePartitions, dateOf, dayRange, overlaps, partFiles } from './parquet-partition.ts';
import { dedupedSql, fileList, sqlIdent, sqlString } from './parquet-sql.ts';
import { asOfJoin } from './point-in-time-join.ts';

export class ParquetOfflineStore implements OfflineStore {
  readonly kind = 'parquet';
  private instance: DuckDBInstance | undefined;
  private conn: DuckDBConnection | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private lastSeq = 0;
  private tables = 0;

  /**
   * @param durable - fsync part files before they are renamed into place and their folders after
   *   (config `eventLog.fsync` 'always'), so that once a write resolves it survives a power loss:
   *   the stream job commits its offsets only then.
   */
  constructor(readonly root: string, private readonly durable = true) {}

  private syncFiles(dir: string): Promise<void> {
    return this.durable ? syncTree(dir) : Promise.resolve();
  }

  private syncFolder(dir: string): void {
    if (this.durable) syncDir(dir);
  }

  async init(): Promise<void> {
    if (this.conn) return;
    this.instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    this.conn = await this.instance.connect();
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.conn?.closeSync();
    this.instance?.closeSync();
    this.conn = undefined;
    this.instance = undefined;
  }

  /** Folder of a view's files. */
  private viewDir(view: string): string {
    return path.join(this.root, view);
  }

  private connection(): DuckDBConnection {
    if (!this.conn) throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `offline store at ${this.root} is not open: call init() first (or do not use it after close())`, { retriable: false });
    return this.conn;
  }

  /** Runs `fn` after every earlier operation; fails at once when the store is not open. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    this.connection();
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private nextSeq(): number {
    this.lastSeq = Math.max(Date.now() * 1000, this.lastSeq + 1);
    return this.lastSeq;
  }

  async views(): Promise<string[]> {
    this.connection();
    if (!existsSync(this.root)) return [];
    const names = (await readdir(this.root, { withFileTypes: true })).filter((d) => d.isDirectory() && VIEW_NAME.test(d.name)).map((d) => d.name);
    const withData = await Promise.all(names.map(async (n) => ((await datePartitions(this.viewDir(n))).length > 0 ? n : undefined)));
    return withData.filter((n): n is string => n !== undefined).sort();
  }

  async rowStats(view: string): Promise<{ rows: number; lastTimestamp: number | undefined }> {
    checkView(view);
    return this.serial(async () => {
      const files = await this.filesIn(view);
      if (files.length === 0) return { rows: 0, lastTimestamp: undefined };
      const reader = await this.connection().runAndReadAll(`SELECT count(*)::DOUBLE AS n, max(timestamp)::DOUBLE AS last FROM (
        SELECT DISTINCT entity, timestamp FROM read_parquet(${fileList(files)}, union_by_name = true, hive_partitioning = false))`);
      const [n, last] = (reader.getRows()[0] ?? [0, null]) as [number, number | null];
      return { rows: Number(n), lastTimestamp: last === null ? undefined : Number(last) };
    });
  }

  async append(view: string, rows: FeatureRow[]): Promise<void> {
    checkView(view);
    checkRows(view, rows);
    this.connection();
    if (rows.length === 0) return;
    const last = lastPerKey(rows);
    await this.serial(async () => this.writeParts(this.viewDir(view), last));
  }

  async replaceRange(view: string, range: TimeRange, rows: FeatureRow[]): Promise<void> {
    checkView(view);
    checkRange(range);
    checkRows(view, rows);
    const inRange = lastPerKey(rows.filter((r) => r.timestamp >= range.from && r.timestamp < range.to));
    await this.serial(async () => {
      const viewDir = this.viewDir(view);
      const existing = (await datePartitions(viewDir)).filter((d) => overlaps(dayRange(d), range));
      const staged = [...inRange];
      for (const date of existing) {
        const day = dayRange(date);
        if (day.from >= range.from && day.to <= range.to) continue; // wholly replaced: nothing to keep
        const files = await partFiles(path.join(viewDir, `date=${date}`));
        for (const r of await this.readRows(view, files, ALL_TIME)) if (r.timestamp < range.from || r.timestamp >= range.to) staged.push(r);
      }
      const seq = this.nextSeq();
      const stage = path.join(viewDir, `.stage-${seq}`);
      try {
        if (staged.length > 0) {
          await this.copyPartitioned(stage, staged, seq);
          await this.syncFiles(stage);
        }
        const dates = new Set([...existing, ...staged.map((r) => dateOf(r.timestamp))]);
        for (const date of dates) await swapDir(path.join(viewDir, `date=${date}`), path.join(stage, `date=${date}`), seq);
        this.syncFolder(viewDir);
      } finally {
        await rm(stage, { recursive: true, force: true });
      }
    });
  }

  async compact(view: string, options: { minFiles?: number } = {}): Promise<CompactionReport> {
    checkView(view);
    const minFiles = Math.max(2, options.minFiles ?? 2);
    return this.serial(async () => {
      const viewDir = this.viewDir(view);
      const report: CompactionReport = { view, partitions: 0, filesBefore: 0, filesAfter: 0, rows: 0 };
      for (const date of await datePartitions(viewDir)) {
        const dateDir = path.join(viewDir, `date=${date}`);
        const files = await partFiles(dateDir);
        report.filesBefore += files.length;
        if (files.length < minFiles) {
          report.filesAfter += files.length;
          continue;
        }
        report.rows += await this.mergeParts(viewDir, dateDir, files);
        report.partitions++;
        report.filesAfter++;
      }
      return report;
    });
  }

  /** Writes the deduplicated rows of `files` as one part file in `dateDir`, then removes `files`. */
  private async mergeParts(viewDir: string, dateDir: string, files: string[]): Promise<number> {
    const seq = this.nextSeq();
    const tmp = path.join(viewDir, `.compact-${seq}.parquet`);
    try {
      // written_at is kept per row (not reset to seq): the merge must not win over a part appended meanwhile.
      const copied = await this.connection().run(`COPY (SELECT * FROM read_parquet(${fileList(files)}, union_by_name = true, hive_partitioning = false)
        QUALIFY row_number() OVER (PARTITION BY entity, timestamp ORDER BY written_at DESC) = 1 ORDER BY entity, timestamp)
        TO ${sqlString(tmp)} (FORMAT parquet)`);
      const rows = copied.rowsChanged; // COPY reports the rows it wrote
      if (this.durable) syncFile(tmp);
      await rename(tmp, path.join(dateDir, `part-${seq}-c.parquet`));
      this.syncFolder(dateDir); // the merged file is durable before its inputs go
      for (const f of files) await unlink(f).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
      return rows;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async scan(view: string, range: TimeRange = ALL_TIME): Promise<FeatureRow[]> {
    checkView(view);
    checkRange(range);
    return this.serial(async () => this.readRows(view, await this.filesIn(view, range), range));
  }

  async asOf(view: string, probes: AsOfProbe[], ttlMs: number): Promise<(FeatureRow | undefined)[]> {
    checkView(view);
    checkProbes(probes, ttlMs);
    return this.serial(async () => asOfJoin(this.connection(), probes.length > 0 ? await this.filesIn(view, probeWindow(probes, ttlMs)) : [], view, probes, ttlMs));
  }

  /** Part files of the date partitions of `view` that can hold rows in `range`. */
  private async filesIn(view: string, range: TimeRange = ALL_TIME): Promise<string[]> {
    const dates = (await datePartitions(this.viewDir(view))).filter((d) => overlaps(dayRange(d), range));
    return (await Promise.all(dates.map((d) => partFiles(path.join(this.viewDir(view), `date=${d}`))))).flat();
  }

  /** Writes `rows` as one new part file per date partition under `viewDir` (temp folder, then renames). */
  private async writeParts(viewDir: string, rows: FeatureRow[]): Promise<void> {
    const seq = this.nextSeq();
    const tmp = path.join(viewDir, `.tmp-${seq}`);
    try {
      await this.copyPartitioned(tmp, rows, seq);
      await this.syncFiles(tmp);
      for (const dateDir of await readdir(tmp)) {
        const target = path.join(viewDir, dateDir);
        await mkdir(target, { recursive: true });
        for (const f of await readdir(path.join(tmp, dateDir))) await rename(path.join(tmp, dateDir, f), path.join(target, f));
        this.syncFolder(target);
      }
      this.syncFolder(viewDir);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** One COPY of `rows` into `dir/date=YYYY-MM-DD/part-<seq>-<i>.parquet`. */
  private async copyPartitioned(dir: string, rows: FeatureRow[], seq: number): Promise<void> {
    const conn = this.connection();
    const table = await this.loadTable(rows, seq);
    try {
      await mkdir(path.dirname(dir), { recursive: true });
      await conn.run(`COPY (SELECT *, strftime(make_timestamp(timestamp * 1000), '%Y-%m-%d') AS date FROM ${table} ORDER BY entity, timestamp)
        TO ${sqlString(dir)} (FORMAT parquet, PARTITION_BY (date), FILENAME_PATTERN 'part-${seq}-{i}')`);
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${table}`);
    }
  }

  /** Loads rows into a new temp table through the appender; returns its name. */
  private async loadTable(rows: FeatureRow[], seq: number): Promise<string> {
    const conn = this.connection();
    const features = featureColumns(rows);
    const table = `rows_${++this.tables}`;
    const cols = ['entity VARCHAR', 'timestamp BIGINT', 'written_at BIGINT', ...features.map((f) => `${sqlIdent(f)} DOUBLE`)];
    await conn.run(`CREATE TEMP TABLE ${table} (${cols.join(', ')})`);
    const appender = await conn.createAppender(table);
    for (const r of rows) {
      appender.appendVarchar(r.entity);
      appender.appendBigInt(BigInt(r.timestamp));
      appender.appendBigInt(BigInt(seq));
      for (const f of features) {
        const v = r.values[f];
        if (v === undefined) appender.appendNull();
        else appender.appendDouble(v);
      }
      appender.endRow();
    }
    appender.closeSync();
    return table;
  }

  private async readRows(view: string, files: string[], range: TimeRange): Promise<FeatureRow[]> {
    if (files.length === 0) return [];
    const reader = await this.connection().runAndReadAll(`${dedupedSql(files)} WHERE timestamp >= ${range.from} AND timestamp < ${range.to} ORDER BY entity, timestamp`);
    const names = reader.columnNames();
    return reader.getRowObjectsJS().map((o) => {
      const values: Record<string, number> = {};
      for (const n of names) {
        if (n === 'entity' || n === 'timestamp' || n === 'written_at') continue;
        const v = o[n];
        if (v !== null && v !== undefined) values[n] = Number(v);
      }
      return { view, entity: String(o.entity), timestamp: Number(o.timestamp), values };
    });
  }
}

/**
 * Puts `fresh` (may be absent = the partition becomes empty) in place of `dir`: old folder renamed
 * aside, new one renamed in, old one removed. A reader never sees a mix of old and new rows (between
 * the two renames the date is briefly absent).
 */
async function swapDir(dir: string, fresh: string, seq: number): Promise<void> {
  const old = `${dir}.old-${seq}`;
  await rename(dir, old).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
  if (existsSync(fresh)) await rename(fresh, dir);
  await rm(old, { recursive: true, force: true });
}

/** fsyncs every file below `dir` and every folder in it (a COPY's output before it is renamed into place). */
async function syncTree(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await syncTree(p);
    else syncFile(p);
  }
  syncDir(dir);
}

function featureColumns(rows: FeatureRow[]): string[] {
  const names = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.values)) names.add(k); // reserved names were rejected by checkRows
  return [...names];
}

/** The Parquet offline store under `<home>/offline` (or `root` when given). */
export function createParquetOfflineStore(config: AlmanacConfig, root?: string): ParquetOfflineStore {
  return new ParquetOfflineStore(root ?? homePath(config, 'offline'), config.eventLog.fsync === 'always');
}

/**
 * The rows a point-in-time join of `probes` can use: a row is used only while ts − timestamp < ttl,
 * so with a finite TTL only the date partitions overlapping [earliest probe − ttl, latest probe]
 * are read (a training set joined a day at a time reads a TTL's worth of days, not the whole view).
 * A row older than that may be the latest at or before a probe, but the TTL drops it either way.
 */
function probeWindow(probes: AsOfProbe[], ttlMs: number): TimeRange {
  if (!Number.isFinite(ttlMs)) return ALL_TIME;
  let min = Infinity;
  let max = -Infinity;
  for (const p of probes) {
    if (p.ts < min) min = p.ts;
    if (p.ts > max) max = p.ts;
  }
  return { from: Math.floor(min - ttlMs), to: Math.floor(max) + 1 };
}
