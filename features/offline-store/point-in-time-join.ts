/**
 * The point-in-time (ASOF) join: for each probe (entity, ts), the latest row of a view with
 * timestamp ≤ ts — and only while ts − timestamp ≤ ttl. Runs in DuckDB over the view's Parquet files.
 */
import type { FeatureRow } from '../feature-view.ts';
import { dedupedSql, type ParquetOfflineStore } from './parquet-offline-store.ts';

export interface Probe {
  entity: string;
  /** As-of time, epoch ms. */
  ts: number;
}

let tables = 0;

const RESERVED = new Set(['probe__', 'entity', 'timestamp', 'written_at']);

/** Rows aligned with `probes` (undefined = no row at or before ts, or older than the TTL). */
export async function asOfJoin(store: ParquetOfflineStore, view: string, probes: Probe[], ttlMs: number): Promise<(FeatureRow | undefined)[]> {
  const out: (FeatureRow | undefined)[] = new Array(probes.length).fill(undefined);
  if (probes.length === 0) return out;
  const files = await store.filesIn(view);
  if (files.length === 0) return out;
  return store.exclusive(async (conn) => {
    const table = `probes_${++tables}`;
    await conn.run(`CREATE TEMP TABLE ${table} (probe INTEGER, entity VARCHAR, ts DOUBLE)`);
    try {
      const appender = await conn.createAppender(table);
      probes.forEach((p, i) => {
        appender.appendInteger(i);
        appender.appendVarchar(p.entity);
        appender.appendDouble(p.ts);
        appender.endRow();
      });
      appender.closeSync();
      const reader = await conn.runAndReadAll(
        `SELECT p.probe AS probe__, r.* FROM ${table} p ASOF JOIN (${dedupedSql(files)}) r ON p.entity = r.entity AND p.ts >= r.timestamp WHERE p.ts - r.timestamp <= ${ttlMs}`,
      );
      const names = reader.columnNames();
      const columns = reader.getColumns();
      const column = (name: string) => columns[names.indexOf(name)] ?? [];
      const [probe, entity, timestamp] = [column('probe__'), column('entity'), column('timestamp')];
      const features = names.flatMap((n, i) => (RESERVED.has(n) ? [] : [[n, columns[i] ?? []] as const]));
      for (let j = 0; j < probe.length; j++) {
        const values: Record<string, number> = {};
        for (const [k, col] of features) {
          const v = col[j];
          if (v !== null && v !== undefined) values[k] = Number(v);
        }
        out[Number(probe[j])] = { view, entity: String(entity[j]), timestamp: Number(timestamp[j]), values };
      }
      return out;
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${table}`);
    }
  });
}
