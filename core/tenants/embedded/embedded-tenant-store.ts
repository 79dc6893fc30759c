/**
 * Embedded TenantStore: one append-only file, `<home>/tenants/tenants.jsonl`, one operation per line
 * (`client`, `key`, `revoke`, `used`, `campaign`). The state is the fold of the lines, so writers
 * never rewrite the file and several processes (serve, ingest, the stream job, `almanac keys`)
 * can append to it at once: each line is one O_APPEND write, and the first `client` or `campaign`
 * line for an id wins. A process reads the lines appended by others at most every `refreshMs`
 * (so a revocation takes effect within ~1 s everywhere), and always before it claims.
 * A torn last line (a crash mid-write) is ignored until it is completed or followed by others.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import { homePath, type AlmanacConfig } from '../../config.ts';
import { AlmanacError } from '../../errors.ts';
import type { ApiKeyRecord } from '../api-key.ts';
import type { ClientRecord, TenantStore } from '../tenant-store.ts';

type Line =
  | { op: 'client'; client_id: string; at: number; by: string }
  | { op: 'key'; record: ApiKeyRecord }
  | { op: 'revoke'; id: string; at: number }
  | { op: 'used'; id: string; at: number }
  | { op: 'campaign'; campaign_id: string; client_id: string };

export class EmbeddedTenantStore implements TenantStore {
  readonly kind = 'embedded';
  private readonly clients = new Map<string, ClientRecord>();
  private readonly keys = new Map<string, ApiKeyRecord>();
  private readonly campaigns = new Map<string, string>();
  private offset = 0;
  private checkedAt = -Infinity;

  constructor(readonly file: string, private readonly fsync: boolean, private readonly refreshMs = 1_000) {}

  async init(): Promise<void> {
    mkdirSync(path.dirname(this.file), { recursive: true });
    this.refresh(true);
  }

  async close(): Promise<void> {}

  async ping(): Promise<boolean> {
    return true;
  }

  async registerClient(clientId: string, by: string, at = Date.now()): Promise<boolean> {
    this.refresh(true);
    if (this.clients.has(clientId)) return false;
    this.append([{ op: 'client', client_id: clientId, at, by }]);
    return this.clients.get(clientId)?.created_by === by;
  }

  async registeredClients(clientIds: readonly string[]): Promise<Set<string>> {
    this.refresh(clientIds.some((id) => !this.clients.has(id)));
    return new Set(clientIds.filter((id) => this.clients.has(id)));
  }

  async listClients(): Promise<ClientRecord[]> {
    this.refresh(true);
    return [...this.clients.values()].sort((a, b) => (a.client_id < b.client_id ? -1 : 1));
  }

  async putKey(record: ApiKeyRecord): Promise<void> {
    this.refresh(true);
    if (this.keys.has(record.id)) throw new AlmanacError('ALMANAC_ERR_INPUT_CONFLICT', `key id '${record.id}' exists`, { details: { id: record.id } });
    this.append([{ op: 'key', record }]);
  }

  async getKey(id: string): Promise<ApiKeyRecord | undefined> {
    this.refresh(!this.keys.has(id));
    return this.keys.get(id);
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    this.refresh(true);
    return [...this.keys.values()].sort((a, b) => a.created_at - b.created_at);
  }

  async revokeKey(id: string, at = Date.now()): Promise<boolean> {
    this.refresh(true);
    if (!this.keys.has(id)) return false;
    this.append([{ op: 'revoke', id, at }]);
    return true;
  }

  async touchKey(id: string, at: number): Promise<void> {
    if (this.keys.has(id)) this.append([{ op: 'used', id, at }], false);
  }

  async claimCampaigns(clientId: string, campaignIds: readonly string[]): Promise<Map<string, string>> {
    this.refresh(true);
    const fresh = [...new Set(campaignIds)].filter((id) => !this.campaigns.has(id));
    if (fresh.length > 0) this.append(fresh.map((campaign_id) => ({ op: 'campaign', campaign_id, client_id: clientId })));
    return this.owners(campaignIds);
  }

  async campaignOwners(campaignIds: readonly string[]): Promise<Map<string, string>> {
    this.refresh(campaignIds.some((id) => !this.campaigns.has(id)));
    return this.owners(campaignIds);
  }

  private owners(ids: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const id of ids) {
      const owner = this.campaigns.get(id);
      if (owner !== undefined) out.set(id, owner);
    }
    return out;
  }

  /** Appends lines in one write, then folds everything new (ours and others'). */
  private append(lines: Line[], durable = this.fsync): void {
    const fd = openSync(this.file, 'a');
    try {
      writeSync(fd, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.refresh(true);
  }

  /** Folds the lines appended since the last read (at most every refreshMs unless `force`). */
  private refresh(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.checkedAt < this.refreshMs) return;
    this.checkedAt = now;
    if (!existsSync(this.file)) return;
    const fd = openSync(this.file, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return;
      const buf = Buffer.alloc(size - this.offset);
      readSync(fd, buf, 0, buf.length, this.offset);
      const end = buf.lastIndexOf(0x0a);
      if (end < 0) return;
      for (const text of buf.subarray(0, end).toString('utf8').split('\n')) this.apply(text);
      this.offset += end + 1;
    } finally {
      closeSync(fd);
    }
  }

  private apply(text: string): void {
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      return; // a torn line followed by others: skipped
    }
    switch (line.op) {
      case 'client':
        if (!this.clients.has(line.client_id)) this.clients.set(line.client_id, { client_id: line.client_id, created_at: line.at, created_by: line.by });
        break;
      case 'key':
        if (!this.keys.has(line.record.id)) this.keys.set(line.record.id, { ...line.record });
        break;
      case 'revoke': {
        const k = this.keys.get(line.id);
        if (k && k.revoked_at === null) k.revoked_at = line.at;
        break;
      }
      case 'used': {
        const k = this.keys.get(line.id);
        if (k && (k.last_used_at ?? 0) < line.at) k.last_used_at = line.at;
        break;
      }
      case 'campaign':
        if (!this.campaigns.has(line.campaign_id)) this.campaigns.set(line.campaign_id, line.client_id);
        break;
    }
  }
}

export function createEmbeddedTenantStore(config: AlmanacConfig, refreshMs?: number): EmbeddedTenantStore {
  return new EmbeddedTenantStore(homePath(config, 'tenants', 'tenants.jsonl'), config.eventLog.fsync === 'always', refreshMs);
}
