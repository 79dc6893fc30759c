/**
 * The pattern catalogue of the build serving answers from: the vector index's current alias target
 * when its catalogue is in the home, else the home's CURRENT build. Read once per build and kept
 * (a build's catalogue never changes; a new build has a new collection name).
 */
import { AlmanacError } from '../../core/errors.ts';
import { currentCollection, isCurrentFormat, readPatternCatalogue, type PatternCatalogue } from '../../embeddings/patterns/pattern-catalogue.ts';
import { homeRelative } from '../home-relative.ts';
import type { ServingDeps } from '../serving-deps.ts';

/** What reading the live catalogue needs of the serving runtime. */
type CatalogueSource = { readonly deps: Pick<ServingDeps, 'config'>; readonly indexVersion: string | undefined };

/**
 * How long the CURRENT build stands in for an index that names no build of this home before CURRENT
 * is read again (it changes when a build is marked live, after its alias switch).
 */
const FALLBACK_RECHECK_MS = 1000;

const cache = new WeakMap<object, { name: string; catalogue: PatternCatalogue; indexVersion: string | undefined; checkedAt: number }>();

/** @throws ALMANAC_ERR_INDEX_NOT_READY when no build (or only one from before subgroup discovery) is there. */
export function liveCatalogue(rt: CatalogueSource): PatternCatalogue {
  const config = rt.deps.config;
  const held = cache.get(config);
  // the index's build is held: no file read. An index that names no build of this home is served the
  // CURRENT build's, read again at most once a FALLBACK_RECHECK_MS (not two file reads a request)
  if (held !== undefined && held.name === rt.indexVersion) return held.catalogue;
  const now = Date.now();
  if (held !== undefined && held.indexVersion === rt.indexVersion && now - held.checkedAt < FALLBACK_RECHECK_MS) return held.catalogue;
  const names = [rt.indexVersion, currentCollection(config)].filter((n): n is string => n !== undefined);
  for (const name of names) {
    const catalogue = held?.name === name ? held.catalogue : readHomeCatalogue(rt, name);
    if (catalogue === undefined) continue;
    if (!isCurrentFormat(catalogue)) {
      throw new AlmanacError('ALMANAC_ERR_INDEX_NOT_READY', `the pattern index ${name} was built by an older version (clusters, no configuration encoder); rebuild it with \`almanac index\``);
    }
    cache.set(config, { name, catalogue, indexVersion: rt.indexVersion, checkedAt: now });
    return catalogue;
  }
  throw new AlmanacError('ALMANAC_ERR_INDEX_NOT_READY', 'no success-pattern index has been built yet; run `almanac index`');
}

/** The catalogue of `name`; an unreadable one is refused naming its file relative to the home (no server path in the answer). */
function readHomeCatalogue(rt: Pick<CatalogueSource, 'deps'>, name: string): PatternCatalogue | undefined {
  try {
    return readPatternCatalogue(rt.deps.config, name);
  } catch (e) {
    if (!(e instanceof AlmanacError)) throw e;
    throw new AlmanacError(e.code, homeRelative(rt.deps.config.home, e.message), { cause: e, retriable: e.retriable });
  }
}
