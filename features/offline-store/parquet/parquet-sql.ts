/** SQL text for DuckDB over the offline store's Parquet part files. */

export const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

export const sqlIdent = (s: string): string => `"${s.replaceAll('"', '""')}"`;

/** DuckDB list literal of file paths. */
export const fileList = (files: string[]): string => `[${files.map(sqlString).join(', ')}]`;

/**
 * SQL selecting the deduplicated rows (last written per entity and timestamp) of `files`, with
 * `timestamp` as DOUBLE (the probes' type in the point-in-time join) and `written_at` kept.
 */
export function dedupedSql(files: string[]): string {
  return `SELECT * EXCLUDE (timestamp), CAST(timestamp AS DOUBLE) AS timestamp FROM (
    SELECT * FROM read_parquet(${fileList(files)}, union_by_name = true, hive_partitioning = false)
    QUALIFY row_number() OVER (PARTITION BY entity, timestamp ORDER BY written_at DESC) = 1)`;
}
