/**
 * Mines success patterns from embedded configurations: weighted k-means over the configuration
 * embeddings gives the cross-client (global) patterns; each client's own share of every cluster
 * becomes that client's private pattern (tenant = client_id).
 */
import type { Configuration } from './configuration.ts';
import { normalise } from './embed-configurations.ts';
import { kmeans } from './kmeans.ts';
import { clientSlice, summarisePattern, wholeSlice, type ConfigurationSlice, type MinedPattern } from './pattern-stats.ts';

export interface MineOptions {
  /** Pattern id prefix (the collection name). */
  prefix: string;
  /** Number of global patterns (clusters); default ≈ √configurations, within [2, 64]. */
  patterns?: number;
  seed: number;
}

export interface MinedPatterns {
  global: MinedPattern[];
  private: MinedPattern[];
}

export function defaultPatternCount(configurations: number): number {
  return Math.min(configurations, Math.max(2, Math.min(64, Math.round(Math.sqrt(configurations)))));
}

export function minePatterns(configs: Configuration[], embeddings: Float64Array[], options: MineOptions): MinedPatterns {
  if (configs.length === 0) return { global: [], private: [] };
  const k = Math.max(1, Math.min(configs.length, options.patterns ?? defaultPatternCount(configs.length)));
  const weights = configs.map((c) => c.touches);
  const { assignments } = kmeans(embeddings, weights, { k, seed: options.seed });
  const members: number[][] = Array.from({ length: k }, () => []);
  assignments.forEach((c, i) => members[c]?.push(i));
  const clusters = members
    .filter((m) => m.length > 0)
    .map((m) => ({ m, touches: m.reduce((s, i) => s + (configs[i] as Configuration).touches, 0) }))
    .sort((a, b) => b.touches - a.touches || (a.m[0] as number) - (b.m[0] as number))
    .map((c) => c.m);
  const global = clusters.map((m, g) => {
    const slices = m.map((i) => wholeSlice(configs[i] as Configuration));
    return summarisePattern({ id: `${options.prefix}.g${g}`, tenant: 'global', scope: 'global', centroid: centroidOf(m, embeddings, slices) }, slices);
  });
  return { global, private: privatePatterns(configs, embeddings, clusters, options.prefix) };
}

function privatePatterns(configs: Configuration[], embeddings: Float64Array[], clusters: number[][], prefix: string): MinedPattern[] {
  const clients = [...new Set(configs.flatMap((c) => [...c.clients.keys()]))].sort();
  const out: MinedPattern[] = [];
  for (const client of clients) {
    clusters.forEach((m, g) => {
      const own = m.map((i) => [i, clientSlice(configs[i] as Configuration, client)] as const).filter((x): x is [number, ConfigurationSlice] => x[1] !== undefined);
      if (own.length === 0) return;
      const slices = own.map(([, s]) => s);
      const centroid = centroidOf(own.map(([i]) => i), embeddings, slices);
      out.push(summarisePattern({ id: `${prefix}.g${g}.${client}`, tenant: client, scope: 'private', centroid }, slices));
    });
  }
  return out;
}

/** Touch-weighted mean of the members' embeddings, normalised. */
function centroidOf(members: number[], embeddings: Float64Array[], slices: ConfigurationSlice[]): number[] {
  const dim = embeddings[0]?.length ?? 0;
  const sum = new Float64Array(dim);
  members.forEach((i, j) => {
    const w = (slices[j] as ConfigurationSlice).touches;
    const e = embeddings[i] as Float64Array;
    for (let d = 0; d < dim; d++) sum[d] = (sum[d] as number) + w * (e[d] as number);
  });
  return Array.from(normalise(sum));
}
