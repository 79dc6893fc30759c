/**
 * Migration of a home written by the earlier embedded graph (one JSON file, `graph/graph.json`,
 * `{format: 1, nodes, edges}`): on the first open of the SQLite store, the file's nodes and edges are
 * merged in one transaction, a meta row records it, and the file is renamed `graph.json.migrated`
 * (kept, never read again). Two processes opening at once migrate once: the check and the merge run
 * under SQLite's write lock.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { AlmanacError } from '../../../core/errors.ts';
import type { GraphEdge, GraphNode } from '../graph-store.ts';
import type { GraphDatabase } from './graph-database.ts';
import { checkEdges, checkNodes } from './graph-input-check.ts';

interface GraphFile { format: 1; nodes: GraphNode[]; edges: GraphEdge[] }

/**
 * Merges `jsonFile` into the database once, through `merge` (the store's own write path).
 * @returns whether this call migrated the file.
 * @throws ALMANAC_ERR_STORE_UNAVAILABLE when the file is not a readable graph file (nothing is written).
 */
export function migrateJsonGraph(db: GraphDatabase, jsonFile: string, merge: (nodes: GraphNode[], edges: GraphEdge[]) => void): boolean {
  if (!existsSync(jsonFile)) return false;
  const done = db.prepare<[], string>("SELECT value FROM meta WHERE key = 'migrated_from'").pluck();
  const migrate = db.transaction((): boolean => {
    if (done.get() !== undefined) return false;
    const body = readGraphFile(jsonFile);
    merge(body.nodes, body.edges);
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('migrated_from', ?)").run(jsonFile);
    return true;
  });
  const migrated = migrate.immediate();
  if (existsSync(jsonFile)) renameSync(jsonFile, `${jsonFile}.migrated`);
  return migrated;
}

function readGraphFile(file: string): GraphFile {
  try {
    const body = JSON.parse(readFileSync(file, 'utf8')) as GraphFile;
    if (!Array.isArray(body?.nodes) || !Array.isArray(body?.edges)) throw new Error('expected {format: 1, nodes: [...], edges: [...]}');
    checkNodes(body.nodes);
    checkEdges(body.edges);
    return body;
  } catch (e) {
    throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `cannot migrate graph file ${file}: ${(e as Error).message}; move it away to start an empty graph`, { cause: e, retriable: false });
  }
}
