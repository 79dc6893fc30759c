/**
 * The point-in-time (ASOF) join behind ParquetOfflineStore.asOf: for each probe (entity, ts), the
 * latest deduplicated row of the given part files with timestamp ≤ ts — and only while
 * ts − timestamp < ttl (exclusive, the rule the online stores serve by: features/online-store/online-expiry.ts, so training sees exactly what serving would). One DuckDB query: the probes go into a temp table, joined with ASOF JOIN.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FeatureRow } from '../../feature-view.ts';
import type { AsOfProbe } from '../offline-store.ts';
import { dedupedSql } from './parquet-sql.ts';

let tables = 0;

const RESERVED = new Set(['probe__', 'entity', 'timestamp', 'written_at']);

/**
 * Rows aligned with `probes` (undefined = no row at or before ts, or older than the TTL; probes that
 * see the same row share one object: do not mutate them). The caller
 * holds `conn` exclusively and has checked the probes.
 * @param files - the view's part files that can hold a row the TTL lets through (all of them for an
 *   infinite TTL: a row of any date may be the latest).
 * @param ttlMs - ≥ 0; Infinity = no limit.
 */
export async function asOfJoin(conn: DuckDBConnection, files: string[], view: string, probes: AsOfProbe[], ttlMs: number): Promise<(FeatureRow | undefined)[]> {
  const out: (FeatureRow | undefined)[] = new Array(probes.length).fill(undefined);
  if (probes.length === 0 || files.length === 0) return out;
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
    const ttl = Number.isFinite(ttlMs) ? ` WHERE p.ts - r.timestamp < ${ttlMs}` : '';
    const reader = await conn.runAndReadAll(
      `SELECT p.probe AS probe__, r.* FROM ${table} p ASOF JOIN (${dedupedSql(files)}) r ON p.entity = r.entity AND p.ts >= r.timestamp${ttl}`,
    );
    const names = reader.columnNames();
    const columns = reader.getColumns();
    const column = (name: string) => columns[names.indexOf(name)] ?? [];
    const [probe, entity, timestamp] = [column('probe__'), column('entity'), column('timestamp')];
    const features = names.flatMap((n, i) => (RESERVED.has(n) ? [] : [[n, columns[i] ?? []] as const]));
    // many probes (touches) see the same row: one object per distinct (entity, timestamp)
    const distinct = new Map<string, FeatureRow>();
    for (let j = 0; j < probe.length; j++) {
      const key = `${String(entity[j])}\u0000${Number(timestamp[j])}`;
      let row = distinct.get(key);
      if (!row) {
        const values: Record<string, number> = {};
        for (const [k, col] of features) {
          const v = col[j];
          if (v !== null && v !== undefined) values[k] = Number(v);
        }
        row = { view, entity: String(entity[j]), timestamp: Number(timestamp[j]), values };
        distinct.set(key, row);
      }
      out[Number(probe[j])] = row;
    }
    return out;
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${table}`);
  }
}
