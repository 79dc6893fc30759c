/**
 * Embedded OnlineStore: an in-process map of the newest row per (view, entity), with TTL by row
 * timestamp, made durable by a snapshot file (`<home>/online/snapshot.json`, written to a temp name
 * then renamed) on flush/close, and loaded on init.
 *
 * Another process (the stream job, `features materialize`, a DAG) may write the snapshot while this
 * one serves: reads check the file at most every `refreshMs` and merge a newer snapshot in
 * (newest timestamp wins), so a long-running `almanac serve` sees fresh features without a restart.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { homePath, type AlmanacConfig } from '../../../core/config.ts';
import { AlmanacError } from '../../../core/errors.ts';
import { writeFileAtomic } from '../../../core/atomic-file.ts';
import type { FeatureRow } from '../../feature-view.ts';
import { checkTtls, expiresAt, isServed } from '../online-expiry.ts';
import type { OnlineKey, OnlineStore, OnlineStoreCapability, OnlineValue } from '../online-store.ts';

interface Entry extends OnlineValue {
  /** Epoch ms from which the entry is no longer served (row timestamp + view TTL; see ../online-expiry.ts). */
  expiresAt: number;
}

interface SnapshotFile {
  format: 1;
  entries: [string, Entry][];
}

const SEP = '\u0000';
const keyOf = (view: string, entity: string): string => `${view}${SEP}${entity}`;

export class EmbeddedOnlineStore implements OnlineStore {
  readonly kind = 'embedded';
  readonly capabilities: ReadonlySet<OnlineStoreCapability> = new Set(['ttl', 'snapshot', 'row_counts']);
  private readonly entries = new Map<string, Entry>();
  private dirty = false;
  private readonly file: string;
  /** mtime/size of the snapshot this process last loaded or wrote. */
  private seen = '';
  private checkedAt = 0;

  /**
   * @param shownFile - the snapshot as messages name it (relative to the home); the path by default.
   */
  constructor(dir: string, private readonly refreshMs = 1_000, shownFile?: string) {
    this.file = path.join(dir, 'snapshot.json');
    this.shown = shownFile ?? this.file;
  }

  private readonly shown: string;

  async init(): Promise<void> {
    if (!existsSync(this.file)) return;
    this.entries.clear();
    await this.load();
  }

  /** Merges the snapshot file into memory (newest timestamp wins per key). */
  private async load(): Promise<void> {
    const version = await this.fileVersion();
    let snap: SnapshotFile;
    try {
      snap = JSON.parse(await readFile(this.file, 'utf8')) as SnapshotFile;
    } catch (e) {
      throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `online store snapshot ${this.shown} is unreadable: ${(e as Error).message}; delete it and re-run \`almanac features materialize\``, { cause: e, retriable: false, details: { file: this.shown } });
    }
    for (const [k, v] of snap.entries) {
      const prev = this.entries.get(k);
      if (!prev || prev.timestamp <= v.timestamp) this.entries.set(k, { ...v, expiresAt: v.expiresAt ?? Infinity });
    }
    this.seen = version;
  }

  private async fileVersion(): Promise<string> {
    try {
      const st = await stat(this.file);
      return `${st.mtimeMs}:${st.size}`;
    } catch {
      return '';
    }
  }

  /** Picks up a snapshot written by another process, at most once per `refreshMs`. */
  private async refresh(): Promise<void> {
    const now = Date.now();
    if (now - this.checkedAt < this.refreshMs) return;
    this.checkedAt = now;
    const version = await this.fileVersion();
    if (version !== '' && version !== this.seen) await this.load();
  }

  async close(): Promise<void> {
    await this.flush();
  }

  async write(rows: (FeatureRow | (OnlineKey & OnlineValue))[], ttlMs?: Record<string, number>): Promise<void> {
    checkTtls(ttlMs);
    for (const row of rows) {
      const key = keyOf(row.view, row.entity);
      const prev = this.entries.get(key);
      if (prev && prev.timestamp > row.timestamp) continue;
      this.entries.set(key, { timestamp: row.timestamp, values: { ...row.values }, expiresAt: expiresAt(row.timestamp, ttlMs?.[row.view]) });
      this.dirty = true;
    }
  }

  async read(keys: OnlineKey[], now: number = Date.now()): Promise<(OnlineValue | undefined)[]> {
    await this.refresh();
    return keys.map((k) => {
      const e = this.entries.get(keyOf(k.view, k.entity));
      if (!e || !isServed(e.expiresAt, now)) return undefined;
      return { timestamp: e.timestamp, values: e.values };
    });
  }

  async flush(): Promise<void> {
    if (!this.dirty) return;
    const snap: SnapshotFile = { format: 1, entries: [...this.entries].map(([k, e]) => [k, { ...e, expiresAt: Number.isFinite(e.expiresAt) ? e.expiresAt : (null as unknown as number) }]) };
    await writeFileAtomic(this.file, JSON.stringify(snap));
    this.dirty = false;
    this.seen = await this.fileVersion();
  }

  async ping(): Promise<string> {
    this.checkedAt = 0; // read the file now, not within refreshMs
    await this.refresh();
    if (this.entries.size === 0) {
      throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `the online store holds no feature rows (${this.shown} is missing or empty): every client and campaign would be unknown; run \`almanac features materialize\` (or the stream job) to rebuild it`, {
        retriable: false, details: { file: this.shown },
      });
    }
    return `${this.entries.size} rows`;
  }

  async rowCounts(now = Date.now()): Promise<Record<string, number>> {
    await this.refresh();
    const out: Record<string, number> = {};
    for (const [key, e] of this.entries) {
      if (!isServed(e.expiresAt, now)) continue;
      const view = key.slice(0, key.indexOf(SEP));
      out[view] = (out[view] ?? 0) + 1;
    }
    return out;
  }

  /** Number of stored (view, entity) rows, expired included. */
  get size(): number {
    return this.entries.size;
  }
}

/** The embedded online store under `<home>/online`; or under `dir` when given (tests). */
export function createEmbeddedOnlineStore(config: AlmanacConfig, dir?: string, refreshMs?: number): OnlineStore {
  const root = dir ?? homePath(config, 'online');
  const shown = path.relative(config.home, path.join(root, 'snapshot.json'));
  return new EmbeddedOnlineStore(root, refreshMs, shown.startsWith('..') ? undefined : shown);
}
