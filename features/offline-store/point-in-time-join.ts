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
      for (const o of reader.getRowObjectsJS()) {
        const values: Record<string, number> = {};
        for (const [k, v] of Object.entries(o)) {
          if (k === 'probe__' || k === 'entity' || k === 'timestamp' || k === 'written_at' || v === null || v === undefined) continue;
          values[k] = Number(v);
        }
        out[Number(o.probe__)] = { view, entity: String(o.entity), timestamp: Number(o.timestamp), values };
      }
      return out;
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${table}`);
    }
  });
}
