/**
 * The one encoder from FeatureRecords to the model's input tensor, used by training and by
 * serving alike. Column order and widths come from the InputSignature:
 * - numeric: missing → fill, then the learned `transform` (signed log1p: sign(x)·ln(1 + |x|)),
 *   then (x − mean) / std, clipped to ±clip; plus a 0/1 missing indicator column when
 *   `missingIndicator`; plus, when the feature has quantile `bins`, a one-hot of the bin of the
 *   transformed value (bins.length + 1 slots; bin i holds values ≤ bins[i], the last the rest);
 * - categorical: one-hot over the vocabulary, then one OOV slot for missing values (and unknown
 *   ones); with `hashBuckets`, an unknown value goes to one of that many hashed slots after it.
 */
import type { FeatureRecord, FeatureValue } from '../../features/training-set.ts';
import { fnv1a32 } from '../../core/stable-hash.ts';
import type { InputSignature, SignatureFeature } from '../registry/model-registry.ts';

/** Width of one signature feature in the input tensor. */
export function featureWidth(feature: SignatureFeature): number {
  if (feature.type === 'numeric') return (feature.missingIndicator ? 2 : 1) + (feature.bins ? feature.bins.length + 1 : 0);
  return feature.vocabulary.length + 1 + (feature.hashBuckets ?? 0);
}

/** The hashed slot (0 … buckets − 1) of a category outside the vocabulary. */
export function hashBucketOf(category: string, buckets: number): number {
  return fnv1a32(category) % buckets;
}

/** A numeric reading of a feature value: null for missing, non-numeric strings, NaN and ±Infinity. */
export function numericValue(value: FeatureValue | undefined): number | null {
  if (value === null || value === undefined) return null;
  const v: unknown = value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number' && typeof v !== 'string') return null;
  const n = typeof v === 'number' ? v : v.trim() === '' ? Number.NaN : Number(v);
  return Number.isFinite(n) ? n : null;
}

/** A categorical reading of a feature value: null for missing. */
export function categoryValue(value: FeatureValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  const v: unknown = value;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The numeric transform of a signature feature (identity when absent). */
export function transformValue(transform: 'signed_log1p' | undefined, x: number): number {
  return transform === 'signed_log1p' ? Math.sign(x) * Math.log1p(Math.abs(x)) : x;
}

/** The slot of `x` among ascending bin edges: the first edge with x ≤ edge, else edges.length. */
export function binSlot(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= (edges[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface CompiledFeature {
  feature: SignatureFeature;
  offset: number;
  index?: Map<string, number>;
}

function compile(signature: InputSignature): CompiledFeature[] {
  let offset = 0;
  return signature.features.map((feature) => {
    const compiled: CompiledFeature = { feature, offset };
    if (feature.type === 'categorical') compiled.index = new Map(feature.vocabulary.map((v, i) => [v, i]));
    offset += featureWidth(feature);
    return compiled;
  });
}

function writeFeature(out: Float32Array, base: number, c: CompiledFeature, value: FeatureValue | undefined): void {
  const f = c.feature;
  const at = base + c.offset;
  if (f.type === 'numeric') {
    const raw = numericValue(value);
    const t = transformValue(f.transform, raw ?? f.fill);
    let z = (t - f.mean) / f.std;
    if (f.clip !== undefined) z = Math.min(f.clip, Math.max(-f.clip, z));
    out[at] = z;
    if (f.missingIndicator) out[at + 1] = raw === null ? 1 : 0;
    if (f.bins) out[at + (f.missingIndicator ? 2 : 1) + binSlot(f.bins, t)] = 1;
    return;
  }
  const category = categoryValue(value);
  const slot = category === null ? undefined : c.index?.get(category);
  if (slot !== undefined) out[at + slot] = 1;
  else if (category !== null && f.hashBuckets) out[at + f.vocabulary.length + 1 + hashBucketOf(category, f.hashBuckets)] = 1;
  else out[at + f.vocabulary.length] = 1;
}

/** An encoder compiled once for a signature (vocabulary indexes and offsets), for repeated calls. */
export type RecordEncoder = (records: readonly FeatureRecord[]) => Float32Array;

/**
 * Writes one row from values given positionally, in `signature.features` order (undefined or null
 * = missing), into `out` at `base`; the cells must be zero. Exactly what createEncoder writes for a
 * record holding those values under the features' names.
 */
export type RowWriter = (values: ArrayLike<FeatureValue | undefined>, out: Float32Array, base: number) => void;

/**
 * Compiles `signature` once into a positional row writer (see RowWriter). The serving hot path:
 * the writer is generated for the signature (as features/feature-record-shape.ts makes record
 * shapes), one statement per feature with its position, offset and branches fixed, its
 * parameters read from a Float64Array and each vocabulary its own Map; every cell gets exactly
 * the value writeFeature would write. Numerics with a transform or bins go through writeFeature.
 */
export function createRowWriter(signature: InputSignature): RowWriter {
  const compiled = compile(signature);
  const params: number[] = [];
  const general: CompiledFeature[] = [];
  const indexes: Map<string, number>[] = [];
  const lines = compiled.map((c, i) => {
    const f = c.feature;
    const at = `base + ${c.offset}`;
    if (isPlainNumeric(f) && f.type === 'numeric') {
      const k = params.push(f.mean, f.std, f.fill, f.clip ?? 0) - 4;
      return `v = values[${i}]; raw = typeof v === 'number' ? (Number.isFinite(v) ? v : null) : numericValue(v); z = ((raw ?? P[${k + 2}]) - P[${k}]) / P[${k + 1}];`
        + (f.clip !== undefined ? ` z = Math.min(P[${k + 3}], Math.max(-P[${k + 3}], z));` : '')
        + ` out[${at}] = z;`
        + (f.missingIndicator ? ` out[${at} + 1] = raw === null ? 1 : 0;` : '');
    }
    if (f.type === 'categorical') {
      const k = indexes.push(c.index as Map<string, number>) - 1;
      const oov = `out[${at} + ${f.vocabulary.length}] = 1;`;
      const hashed = f.hashBuckets ? `else if (cat !== null) out[${at} + ${f.vocabulary.length + 1} + hashBucketOf(cat, ${f.hashBuckets})] = 1; ` : '';
      return `cat = categoryValue(values[${i}]); slot = cat === null ? undefined : I[${k}].get(cat); if (slot !== undefined) out[${at} + slot] = 1; ${hashed}else ${oov}`;
    }
    return `writeFeature(out, base, G[${general.push(c) - 1}], values[${i}]);`;
  });
  const body = `return function writeRow(values, out, base) {
  let v, raw, z, cat, slot;
${lines.join('\n')}
};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated once per signature from numbers only (no names enter the code)
  const make = new Function('P', 'I', 'G', 'numericValue', 'categoryValue', 'hashBucketOf', 'writeFeature', body) as (...args: unknown[]) => RowWriter;
  return make(Float64Array.from(params), indexes, general, numericValue, categoryValue, hashBucketOf, writeFeature);
}

function isPlainNumeric(f: SignatureFeature): boolean {
  return f.type === 'numeric' && f.transform === undefined && f.bins === undefined;
}

/** Compiles `signature` once; the returned function encodes exactly as encodeRecords does. */
export function createEncoder(signature: InputSignature): RecordEncoder {
  const compiled = compile(signature);
  const width = signature.inputWidth;
  return (records) => {
    const out = new Float32Array(records.length * width);
    for (let row = 0; row < records.length; row++) {
      const record = records[row] as FeatureRecord;
      const base = row * width;
      for (const c of compiled) writeFeature(out, base, c, record[c.feature.name]);
    }
    return out;
  };
}

/**
 * Encodes records row-major into a [records.length × signature.inputWidth] Float32Array.
 * Features absent from a record count as missing; extra record fields are ignored.
 */
export function encodeRecords(signature: InputSignature, records: readonly FeatureRecord[]): Float32Array {
  return createEncoder(signature)(records);
}
