/**
 * The one encoder from FeatureRecords to the model's input tensor, used by training and by
 * serving alike. Column order and widths come from the InputSignature:
 * - numeric: missing → fill, then (x − mean) / std, clipped to ±clip; plus a 0/1 missing
 *   indicator column when `missingIndicator`;
 * - categorical: one-hot over the vocabulary, then one OOV slot for unknown or missing values.
 */
import type { FeatureRecord, FeatureValue } from '../../features/training-set.ts';
import type { InputSignature, SignatureFeature } from '../registry/model-registry.ts';

/** Width of one signature feature in the input tensor. */
export function featureWidth(feature: SignatureFeature): number {
  if (feature.type === 'numeric') return feature.missingIndicator ? 2 : 1;
  return feature.vocabulary.length + 1;
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
    let z = ((raw ?? f.fill) - f.mean) / f.std;
    if (f.clip !== undefined) z = Math.min(f.clip, Math.max(-f.clip, z));
    out[at] = z;
    if (f.missingIndicator) out[at + 1] = raw === null ? 1 : 0;
    return;
  }
  const category = categoryValue(value);
  const slot = category === null ? undefined : c.index?.get(category);
  out[at + (slot ?? f.vocabulary.length)] = 1;
}

/** An encoder compiled once for a signature (vocabulary indexes and offsets), for repeated calls. */
export type RecordEncoder = (records: readonly FeatureRecord[]) => Float32Array;

/**
 * Writes one row from values given positionally, in `signature.features` order (undefined or null
 * = missing), into `out` at `base`; the cells must be zero. Exactly what createEncoder writes for a
 * record holding those values under the features' names.
 */
export type RowWriter = (values: ArrayLike<FeatureValue | undefined>, out: Float32Array, base: number) => void;

/** Compiles `signature` once into a positional row writer (see RowWriter). */
export function createRowWriter(signature: InputSignature): RowWriter {
  const compiled = compile(signature);
  return (values, out, base) => {
    for (let i = 0; i < compiled.length; i++) writeFeature(out, base, compiled[i] as CompiledFeature, values[i]);
  };
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
