/**
 * Builds the success-pattern index recorded against the registry's champion model: the one entry used by
 * `almanac index`, the retrain DAG's reindex task and the demo. The champion's scorer is opened
 * here and closed when the build ends (or fails).
 */
import type { AlmanacConfig } from '../../core/config.ts';
import { AlmanacError } from '../../core/errors.ts';
import type { Scorer } from '../../models/inference/scorer.ts';
import type { ModelRegistry } from '../../models/registry/model-registry.ts';
import { buildPatternIndex, type BuildPatternIndexOptions, type BuildPatternIndexResult } from './build-pattern-index.ts';

export interface IndexWithChampionOptions extends Omit<BuildPatternIndexOptions, 'scorer'> {
  /** The registry whose champion embeds the patterns (default: the configured one). */
  registry?: ModelRegistry;
  /** Opens the champion's scorer (tests inject one); default: the registry's champion through onnxruntime. */
  championScorer?: (config: AlmanacConfig, registry?: ModelRegistry) => Promise<Scorer>;
}

/** The build's result, the champion version it was recorded against, and which clients counted toward k. */
export type IndexWithChampionResult = BuildPatternIndexResult & { model: number; countedClients: 'registered' | 'all' };

async function registeredClientsOf(config: AlmanacConfig): Promise<Set<string>> {
  return (await import('../../core/tenants/create-tenant-store.ts')).registeredClients(config);
}

/**
 * Only registered tenants count toward cross-client patterns (k-anonymity against made-up
 * clients). A home with no registered client at all (built before tenants existed, or a bare
 * training set) counts every client of the set, and the result says so.
 * @throws ALMANAC_ERR_MODEL_NOT_READY when no champion is registered; see buildPatternIndex for the rest.
 */
export async function indexWithChampion(config: AlmanacConfig, options: IndexWithChampionOptions): Promise<IndexWithChampionResult> {
  const { registry, championScorer = openChampionScorer, ...build } = options;
  const scorer = await championScorer(config, registry);
  try {
    const countedClients = build.countedClients ?? (await registeredClientsOf(config));
    const result = await buildPatternIndex(config, { ...build, scorer, ...(countedClients.size > 0 ? { countedClients } : {}) });
    return { ...result, model: scorer.version, countedClients: countedClients.size > 0 ? 'registered' : 'all' };
  } finally {
    await scorer.close();
  }
}

/** The champion's ONNX scorer. @throws ALMANAC_ERR_MODEL_NOT_READY when there is no champion. */
export async function openChampionScorer(config: AlmanacConfig, registry?: ModelRegistry): Promise<Scorer> {
  const source = registry ?? (await (await import('../../models/registry/create-model-registry.ts')).createModelRegistry(config));
  const champion = await source.resolve('champion');
  if (champion === undefined) {
    throw new AlmanacError('ALMANAC_ERR_MODEL_NOT_READY', 'no champion model is registered yet; train and promote one with `almanac train` first');
  }
  return (await import('../../models/inference/onnx-scorer.ts')).loadScorer(champion);
}
