/**
 * Each pattern's figures over index builds, for the console's pattern page: `<home>/patterns/
 * history.json` holds, per build (the last MAX_BUILDS), every pattern's shown figures under its
 * key within a build (its id without the build's collection prefix, stable across builds: the same
 * configuration of the same scope and kind). Written by the index build after the alias switch;
 * a build's catalogue is dropped with the next build, its line here stays.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../../core/atomic-file.ts';
import { homePath, type AlmanacConfig } from '../../core/config.ts';
import type { CataloguePattern, PatternCatalogue } from './pattern-catalogue.ts';

/** Builds kept. */
export const MAX_BUILDS = 30;

/** One build's figures of one pattern: the shown ones (cross-client counts rounded as in the catalogue). */
export interface PatternHistoryPoint {
  index_version: string;
  built_at: string;
  touches: number;
  success_rate: number;
  lift: number;
  clients: number;
  /** What the k-anonymity rule compares with k (kept so a build in which it was not visible is not shown). */
  tenant: string;
  visibility_clients: number;
}

interface HistoryFile {
  format: 1;
  builds: { index_version: string; built_at: string; patterns: Record<string, [touches: number, successRate: number, lift: number, clients: number, visibilityClients: number, tenant: string]> }[];
}

const fileOf = (config: AlmanacConfig) => homePath(config, 'patterns', 'history.json');

/** A pattern's key across builds: its id without the `<collection>.` prefix. */
export function patternKey(id: string, collection: string): string {
  return id.startsWith(`${collection}.`) ? id.slice(collection.length + 1) : id;
}

function read(config: AlmanacConfig): HistoryFile {
  const file = fileOf(config);
  if (!existsSync(file)) return { format: 1, builds: [] };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as HistoryFile;
    return parsed.format === 1 && Array.isArray(parsed.builds) ? parsed : { format: 1, builds: [] };
  } catch {
    return { format: 1, builds: [] }; // a torn or foreign file: history restarts, serving never fails on it
  }
}

/** Records a build's figures (idempotent on the collection name; the oldest builds beyond MAX_BUILDS are dropped). */
export function recordPatternHistory(config: AlmanacConfig, catalogue: Pick<PatternCatalogue, 'collection' | 'createdAt' | 'patterns'>): void {
  const history = read(config);
  const patterns: HistoryFile['builds'][number]['patterns'] = {};
  for (const p of catalogue.patterns) patterns[patternKey(p.id, catalogue.collection)] = [p.touches, p.success_rate, p.lift, p.distinct_clients, p.visibility_clients, p.tenant];
  const builds = history.builds.filter((b) => b.index_version !== catalogue.collection);
  builds.push({ index_version: catalogue.collection, built_at: catalogue.createdAt, patterns });
  builds.sort((a, b) => (a.built_at < b.built_at ? -1 : a.built_at > b.built_at ? 1 : 0));
  writeFileAtomicSync(fileOf(config), JSON.stringify({ format: 1, builds: builds.slice(-MAX_BUILDS) } satisfies HistoryFile));
}

/**
 * One pattern's figures in every recorded build, oldest first; the live build's from its catalogue
 * when the history does not have it (a home indexed before the history was kept).
 */
export function patternHistory(config: AlmanacConfig, pattern: CataloguePattern, catalogue: Pick<PatternCatalogue, 'collection' | 'createdAt'>): PatternHistoryPoint[] {
  const key = patternKey(pattern.id, catalogue.collection);
  const out: PatternHistoryPoint[] = [];
  for (const b of read(config).builds) {
    const row = b.patterns[key];
    if (row === undefined) continue;
    const [touches, success_rate, lift, clients, visibility_clients, tenant] = row;
    out.push({ index_version: b.index_version, built_at: b.built_at, touches, success_rate, lift, clients, tenant, visibility_clients });
  }
  if (!out.some((p) => p.index_version === catalogue.collection)) {
    out.push({
      index_version: catalogue.collection, built_at: catalogue.createdAt, touches: pattern.touches, success_rate: pattern.success_rate,
      lift: pattern.lift, clients: pattern.distinct_clients, tenant: pattern.tenant, visibility_clients: pattern.visibility_clients,
    });
  }
  return out;
}
