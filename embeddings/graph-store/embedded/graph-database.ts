/**
 * The embedded graph's SQLite file (better-sqlite3): nodes keyed by (label, id) with an integer
 * `nid`, edges keyed by (type, src, dst) on those nids, and the evidence of each pattern kept
 * up to date by every write (see pattern-queries.ts), so reading it is one indexed lookup per
 * pattern. WAL mode: readers in other processes see each committed write at once and never block
 * the writer; `synchronous = FULL` makes a write durable when it resolves.
 */
import Database from 'better-sqlite3';
import { AlmanacError } from '../../../core/errors.ts';

export type GraphDatabase = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS nodes (
  nid INTEGER PRIMARY KEY, label INTEGER NOT NULL, id TEXT NOT NULL, props TEXT NOT NULL,
  industry TEXT, -- props.industry when it is a string (what the evidence of a Campaign compares)
  UNIQUE (label, id));
CREATE TABLE IF NOT EXISTS edges (
  type INTEGER NOT NULL, src INTEGER NOT NULL, dst INTEGER NOT NULL,
  src_label INTEGER NOT NULL, dst_label INTEGER NOT NULL, props TEXT NOT NULL,
  conv REAL,   -- Number(props.conversions ?? 0), NULL when not a number
  weight REAL, -- Number(props.weight ?? 0), NULL when not a number
  PRIMARY KEY (type, src, dst)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS edges_in ON edges (type, dst, src_label, src);
-- one row per Pattern node, keyed by its id: a read is one lookup per candidate
CREATE TABLE IF NOT EXISTS evidence (
  id TEXT PRIMARY KEY, clients INTEGER NOT NULL, campaigns INTEGER NOT NULL,
  industries TEXT NOT NULL, -- JSON array of SEEN_IN industry ids, sorted
  proved TEXT NOT NULL      -- JSON array of [industry, clients who proved the pattern in it]
) WITHOUT ROWID;
`;

/** The schema version this code writes (meta key `format`). */
export const GRAPH_FORMAT = '2';

/**
 * Opens (creating when missing) the graph database at `file`, or an in-memory one for ':memory:'.
 * @throws ALMANAC_ERR_STORE_UNAVAILABLE when the file cannot be opened or is not a graph database
 *   of this format (the message names the file).
 */
export function openGraphDatabase(file: string): GraphDatabase {
  let db: GraphDatabase | undefined;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 10000');
    db.pragma('cache_size = -65536'); // 64 MiB page cache
    db.pragma('mmap_size = 4294967296'); // reads map the file (no read syscall per page); pages are the OS's cache, shared
    db.exec(SCHEMA);
    const format = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'format'").get()?.value;
    if (format === undefined) db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('format', ?)").run(GRAPH_FORMAT);
    else if (format !== GRAPH_FORMAT) throw new Error(`format ${format}, this version reads ${GRAPH_FORMAT}`);
    return db;
  } catch (e) {
    db?.close();
    throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `cannot open graph database ${file}: ${(e as Error).message}; move it away and run \`almanac index\` to rebuild the graph`, { cause: e, retriable: false });
  }
}
