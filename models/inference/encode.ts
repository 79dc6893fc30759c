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
 * numeric parameters are laid out in flat arrays (one monomorphic loop, no per-feature branching
 * on the type); every cell gets exactly the value writeFeature would write.
 */
export function createRowWriter(signature: InputSignature): RowWriter {
  const compiled = compile(signature);
  const numeric = compileNumeric(compiled);
  // Categoricals, and numerics with a transform or bins, take the general path (writeFeature).
  const general = compiled.map((c, position) => ({ c, position })).filter(({ c }) => !isPlainNumeric(c.feature));
  return (values, out, base) => {
    const { position, offset, mean, std, fill, clip, hasClip, indicator } = numeric;
    for (let j = 0; j < position.length; j++) {
      const value = values[position[j] as number];
      const raw = typeof value === 'number' ? (Number.isFinite(value) ? value : null) : numericValue(value);
      let z = ((raw ?? (fill[j] as number)) - (mean[j] as number)) / (std[j] as number);
      if (hasClip[j] === 1) z = Math.min(clip[j] as number, Math.max(-(clip[j] as number), z));
      const at = base + (offset[j] as number);
      out[at] = z;
      if (indicator[j] === 1) out[at + 1] = raw === null ? 1 : 0;
    }
    for (let j = 0; j < general.length; j++) {
      const { c, position: i } = general[j] as { c: CompiledFeature; position: number };
      writeFeature(out, base, c, values[i]);
    }
  };
}

interface NumericPlan {
  position: Int32Array;
  offset: Int32Array;
  mean: Float64Array;
  std: Float64Array;
  fill: Float64Array;
  clip: Float64Array;
  hasClip: Uint8Array;
  indicator: Uint8Array;
}

function isPlainNumeric(f: SignatureFeature): boolean {
  return f.type === 'numeric' && f.transform === undefined && f.bins === undefined;
}

function compileNumeric(compiled: CompiledFeature[]): NumericPlan {
  const numeric = compiled.map((c, position) => ({ c, position })).filter(({ c }) => isPlainNumeric(c.feature));
  const plan: NumericPlan = {
    position: new Int32Array(numeric.length), offset: new Int32Array(numeric.length), mean: new Float64Array(numeric.length),
    std: new Float64Array(numeric.length), fill: new Float64Array(numeric.length), clip: new Float64Array(numeric.length), hasClip: new Uint8Array(numeric.length), indicator: new Uint8Array(numeric.length),
  };
  numeric.forEach(({ c, position }, j) => {
    const f = c.feature as Extract<SignatureFeature, { type: 'numeric' }>;
    plan.position[j] = position;
    plan.offset[j] = c.offset;
    plan.mean[j] = f.mean;
    plan.std[j] = f.std;
    plan.fill[j] = f.fill;
    plan.clip[j] = f.clip ?? 0;
    plan.hasClip[j] = f.clip === undefined ? 0 : 1;
    plan.indicator[j] = f.missingIndicator ? 1 : 0;
  });
  return plan;
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
