/**
 * Embedded OnlineStore: an in-process map of the newest row per (view, entity), with TTL by row
 * timestamp, made durable by a snapshot file (`<home>/online/snapshot.json`, written to a temp name
 * then renamed) on flush/close, and loaded on init.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { homePath, type AlmanacConfig } from '../../../core/config.ts';
import { AlmanacError } from '../../../core/errors.ts';
import { writeFileAtomic } from '../../atomic-file.ts';
import type { FeatureRow } from '../../feature-view.ts';
import type { OnlineKey, OnlineStore, OnlineStoreCapability, OnlineValue } from '../online-store.ts';

interface Entry extends OnlineValue {
  /** Epoch ms after which the entry is no longer served (row timestamp + view TTL). */
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
  readonly capabilities: ReadonlySet<OnlineStoreCapability> = new Set(['ttl', 'snapshot']);
  private readonly entries = new Map<string, Entry>();
  private dirty = false;
  private readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, 'snapshot.json');
  }

  async init(): Promise<void> {
    if (!existsSync(this.file)) return;
    let snap: SnapshotFile;
    try {
      snap = JSON.parse(await readFile(this.file, 'utf8')) as SnapshotFile;
    } catch (e) {
      throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `online store snapshot ${this.file} is unreadable: ${(e as Error).message}; delete it and re-run \`almanac features materialize\``, { cause: e, retriable: false });
    }
    this.entries.clear();
    for (const [k, v] of snap.entries) this.entries.set(k, { ...v, expiresAt: v.expiresAt ?? Infinity });
  }

  async close(): Promise<void> {
    await this.flush();
  }

  async write(rows: (FeatureRow | (OnlineKey & OnlineValue))[], ttlMs?: Record<string, number>): Promise<void> {
    for (const row of rows) {
      const key = keyOf(row.view, row.entity);
      const prev = this.entries.get(key);
      if (prev && prev.timestamp > row.timestamp) continue;
      const ttl = ttlMs?.[row.view];
      this.entries.set(key, { timestamp: row.timestamp, values: { ...row.values }, expiresAt: ttl === undefined ? Infinity : row.timestamp + ttl });
      this.dirty = true;
    }
  }

  async read(keys: OnlineKey[], now: number = Date.now()): Promise<(OnlineValue | undefined)[]> {
    return keys.map((k) => {
      const e = this.entries.get(keyOf(k.view, k.entity));
      if (!e || e.expiresAt < now) return undefined;
      return { timestamp: e.timestamp, values: e.values };
    });
  }

  async flush(): Promise<void> {
    if (!this.dirty) return;
    const snap: SnapshotFile = { format: 1, entries: [...this.entries].map(([k, e]) => [k, { ...e, expiresAt: Number.isFinite(e.expiresAt) ? e.expiresAt : (null as unknown as number) }]) };
    await writeFileAtomic(this.file, JSON.stringify(snap));
    this.dirty = false;
  }

  async ping(): Promise<boolean> {
    return true;
  }

  /** Number of stored (view, entity) rows, expired included. */
  get size(): number {
    return this.entries.size;
  }
}

/** The embedded online store under `<home>/online`; or under `dir` when given (tests). */
export function createEmbeddedOnlineStore(config: AlmanacConfig, dir?: string): OnlineStore {
  return new EmbeddedOnlineStore(dir ?? homePath(config, 'online'));
}
