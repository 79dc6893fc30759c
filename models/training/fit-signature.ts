/**
 * Learns the InputSignature (fill values, scaling, vocabularies) from the TRAINING part only,
 * so nothing about the holdout leaks into the encoding. Generic: driven by the manifest's
 * columns (numeric vs categorical), never by column names.
 */
import { AlmanacError } from '../../core/errors.ts';
import type { FeatureColumn, FeatureRecord } from '../../features/training-set.ts';
import { categoryValue, featureWidth, numericValue, transformValue } from '../inference/encode.ts';
import type { InputSignature, SignatureFeature } from '../registry/model-registry.ts';

export interface EncodingOptions {
  /** Missing numerics are filled with the training median or mean. */
  numericFill: 'median' | 'mean';
  /** Standardised values are clipped to ±clip. */
  clip: number;
  /** At most this many categories per column (most frequent first). */
  maxCategories: number;
  /** A category needs at least this many training rows to get its own slot (rarer levels share the OOV slot). */
  minCategoryCount: number;
  /** 'auto': signed log1p on heavy-tailed columns (|skewness| > 2 and smaller after the transform); 'none': raw values. */
  transform: 'auto' | 'none';
  /** Quantile bins per numeric column, one-hot beside the scaled value (0 = none). */
  bins: number;
  /** 'all' columns, or only the touch's and campaign's 'own' (no feature-view aggregates, which drift with the base rate). */
  sources: 'all' | 'own';
  /**
   * A numeric column with at most this many (≥ 2) distinct training values — a calendar field
   * (month, weekday), a small count, a monthly indicator — is encoded as levels (one-hot, like a
   * categorical: values not seen in training take the OOV slot) instead of a scaled magnitude, so a
   * linear model need not read month 11 as "more" than month 5, nor extrapolate along it. 0 = never.
   */
  levels: number;
  /** Whether fractional values may be levels too ('any'), or only whole numbers ('whole'). */
  levelValues: 'whole' | 'any';
  /**
   * A categorical column with more distinct training values than `maxCategories` (high
   * cardinality: ids, postcodes, product codes) hashes the values outside its vocabulary into this
   * many slots instead of one shared OOV slot (0 = never). Hashing needs no statistics of the label,
   * so it cannot leak it.
   */
  hashBuckets: number;
}

export const DEFAULT_ENCODING: EncodingOptions = { numericFill: 'median', clip: 5, maxCategories: 50, minCategoryCount: 5, transform: 'none', bins: 0, sources: 'all', levels: 0, levelValues: 'whole', hashBuckets: 16 };

/** Skewness of `values` (0 for a constant column). */
function skewness(values: Float64Array): number {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let m2 = 0;
  let m3 = 0;
  for (const v of values) { const d = v - mean; m2 += d * d; m3 += d * d * d; }
  m2 /= values.length;
  m3 /= values.length;
  return m2 > 1e-24 ? m3 / m2 ** 1.5 : 0;
}

function heavyTailed(values: Float64Array): boolean {
  const raw = Math.abs(skewness(values));
  return raw > 2 && Math.abs(skewness(values.map((v) => transformValue('signed_log1p', v)))) < raw;
}

/** Up to `count` − 1 strictly ascending inner quantile edges of sorted values (none for a near-constant column). */
function quantileEdges(sorted: Float64Array, count: number): number[] {
  const edges: number[] = [];
  const max = sorted[sorted.length - 1] as number;
  for (let k = 1; k < count; k++) {
    const v = sorted[Math.floor((k * sorted.length) / count)] as number;
    if (v < max && (edges.length === 0 || v > (edges[edges.length - 1] as number))) edges.push(v);
  }
  return edges;
}

/** The distinct values of a column as vocabulary strings (most frequent first), or undefined when there are more than `max` (or, with `whole`, one is fractional). */
function levelsOf(values: Float64Array, max: number, whole: boolean): string[] | undefined {
  const counts = new Map<number, number>();
  for (const v of values) {
    if (whole && !Number.isInteger(v)) return undefined;
    counts.set(v, (counts.get(v) ?? 0) + 1);
    if (counts.size > max) return undefined;
  }
  if (counts.size < 2) return undefined;
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([v]) => String(v));
}

function median(sorted: Float64Array): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function fitNumeric(name: string, records: readonly FeatureRecord[], options: EncodingOptions): SignatureFeature {
  const buffer = new Float64Array(records.length);
  let n = 0;
  let sum = 0;
  // Levels are matched as text (String(value)), so only columns of plain numbers may become levels.
  let numbers = true;
  for (const r of records) {
    const v = numericValue(r[name]);
    if (v !== null) {
      buffer[n++] = v;
      sum += v;
      if (typeof r[name] !== 'number') numbers = false;
    }
  }
  const values = buffer.subarray(0, n);
  const missing = n < records.length;
  const levels = options.levels >= 2 && n > 0 && numbers ? levelsOf(values, options.levels, options.levelValues === 'whole') : undefined;
  if (levels) return { name, type: 'categorical', vocabulary: levels };
  if (n === 0) return { name, type: 'numeric', mean: 0, std: 1, fill: 0, missingIndicator: missing, clip: options.clip };
  const mean = sum / n;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  const variance = squares / n;
  const std = Math.sqrt(variance) > 1e-12 ? Math.sqrt(variance) : 1;
  // A typed array sorts numerically in native code (no comparator callback): the same median, much faster.
  const fill = options.numericFill === 'mean' ? mean : median(values.slice().sort());
  const transform = options.transform === 'auto' && heavyTailed(values) ? 'signed_log1p' as const : undefined;
  const plain: SignatureFeature = { name, type: 'numeric', mean, std, fill, missingIndicator: missing, clip: options.clip };
  if (!transform && options.bins < 2) return plain;
  const t = transform ? values.map((v) => transformValue(transform, v)) : values;
  const tm = t.reduce((a, v) => a + v, 0) / n;
  const tsd = Math.sqrt(t.reduce((a, v) => a + (v - tm) ** 2, 0) / n);
  const edges = options.bins >= 2 ? quantileEdges(t.slice().sort(), options.bins) : [];
  return {
    ...plain, mean: tm, std: tsd > 1e-12 ? tsd : 1,
    ...(transform ? { transform } : {}), ...(edges.length > 0 ? { bins: edges } : {}),
  };
}

function fitCategorical(name: string, records: readonly FeatureRecord[], options: EncodingOptions): SignatureFeature {
  const counts = new Map<string, number>();
  for (const r of records) {
    const v = categoryValue(r[name]);
    if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const vocabulary = [...counts.entries()]
    .filter(([, n]) => n >= options.minCategoryCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, options.maxCategories)
    .map(([v]) => v);
  const highCardinality = options.hashBuckets > 0 && counts.size > options.maxCategories;
  return { name, type: 'categorical', vocabulary, ...(highCardinality ? { hashBuckets: options.hashBuckets } : {}) };
}

/**
 * Builds the signature of `columns` from the training records.
 * @throws ALMANAC_ERR_TRAINING_FAILED when there are no columns or no records.
 */
export function fitSignature(
  columns: readonly FeatureColumn[],
  records: readonly FeatureRecord[],
  options: Partial<EncodingOptions> = {},
): InputSignature {
  const opts = { ...DEFAULT_ENCODING, ...options };
  if (columns.length === 0) throw new AlmanacError('ALMANAC_ERR_TRAINING_FAILED', 'training set has no feature columns');
  if (records.length === 0) throw new AlmanacError('ALMANAC_ERR_TRAINING_FAILED', 'training part has no rows');
  const used = opts.sources === 'own' ? columns.filter((c) => !c.source.startsWith('view:')) : columns;
  if (used.length === 0) throw new AlmanacError('ALMANAC_ERR_TRAINING_FAILED', 'training set has no touch or campaign columns of its own');
  const features = used.map((c) => (c.type === 'numeric' ? fitNumeric(c.name, records, opts) : fitCategorical(c.name, records, opts)));
  const inputWidth = features.reduce((sum, f) => sum + featureWidth(f), 0);
  return { features, inputWidth, inputName: 'features', outputs: { probability: 'probability' } };
}
