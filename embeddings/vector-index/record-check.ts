/** Validation of collection specs and records at the edge of the embedded VectorIndex. */
import { invalidInput, type FieldIssue } from '../../core/errors.ts';
import type { CollectionSpec, FieldSpec, VectorRecord } from './vector-index.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
const RESERVED = new Set(['id', 'tenant', 'vector']);
const TYPES = new Set(['string', 'number', 'bool', 'string[]']);

/** Collection, alias and field names follow Milvus's rule (letters, digits, underscores). */
export function checkName(kind: string, name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalidInput(`invalid ${kind} name '${String(name)}': use letters, digits and underscores, starting with a letter or underscore`, [
      { path: kind, reason: 'must match ^[A-Za-z_][A-Za-z0-9_]*$' },
    ]);
  }
}

/** @throws ALMANAC_ERR_INPUT_INVALID naming the bad part of the spec. */
export function checkSpec(spec: CollectionSpec): void {
  checkName('collection', spec.name);
  const issues: FieldIssue[] = [];
  if (!Number.isInteger(spec.dimension) || spec.dimension < 1 || spec.dimension > 32768) {
    issues.push({ path: 'dimension', reason: `must be an integer in [1, 32768], got ${String(spec.dimension)}` });
  }
  if (!['cosine', 'l2', 'ip'].includes(spec.metric)) issues.push({ path: 'metric', reason: `must be cosine, l2 or ip, got '${String(spec.metric)}'` });
  const seen = new Set<string>();
  spec.fields.forEach((f, i) => {
    if (!NAME.test(f.name) || RESERVED.has(f.name)) issues.push({ path: `fields.${i}.name`, reason: `invalid or reserved field name '${f.name}'` });
    if (seen.has(f.name)) issues.push({ path: `fields.${i}.name`, reason: `duplicate field '${f.name}'` });
    if (!TYPES.has(f.type)) issues.push({ path: `fields.${i}.type`, reason: `unknown type '${String(f.type)}'` });
    seen.add(f.name);
  });
  if (issues.length > 0) {
    const first = issues[0] as FieldIssue;
    throw invalidInput(`invalid collection spec '${spec.name}': ${first.path}: ${first.reason}`, issues);
  }
}

/**
 * Checks every record of a batch before any is written (a batch is applied whole or not at all).
 * @throws ALMANAC_ERR_INPUT_INVALID on a wrong dimension, a non-finite component, an unknown field or a wrong value type.
 */
export function checkRecords(collection: string, dimension: number, fields: Map<string, FieldSpec>, records: VectorRecord[]): void {
  const issues: FieldIssue[] = [];
  records.forEach((r, i) => {
    if (issues.length >= 20) return;
    if (typeof r.id !== 'string' || r.id.length === 0) issues.push({ path: `records.${i}.id`, reason: 'must be a non-empty string' });
    if (typeof r.tenant !== 'string' || r.tenant.length === 0) issues.push({ path: `records.${i}.tenant`, reason: 'must be a non-empty string' });
    checkVector(r.vector, dimension, `records.${i}.vector`, issues);
    for (const [name, value] of Object.entries(r.metadata ?? {})) {
      const field = fields.get(name);
      if (field === undefined) issues.push({ path: `records.${i}.metadata.${name}`, reason: `unknown field '${name}' (declare it in the collection spec)` });
      else if (!fitsType(field, value)) issues.push({ path: `records.${i}.metadata.${name}`, reason: `expected ${field.type}` });
    }
  });
  if (issues.length > 0) {
    const first = issues[0] as FieldIssue;
    throw invalidInput(`invalid records for collection '${collection}': ${first.path}: ${first.reason}`, issues);
  }
}

/** @throws ALMANAC_ERR_INPUT_INVALID on a wrong dimension or a non-finite component. */
export function checkQueryVector(vector: ArrayLike<number>, dimension: number): void {
  const issues: FieldIssue[] = [];
  checkVector(vector, dimension, 'query.vector', issues);
  if (issues.length > 0) throw invalidInput(`invalid search: ${issues[0]?.path}: ${issues[0]?.reason}`, issues);
}

function checkVector(vector: ArrayLike<number>, dimension: number, path: string, issues: FieldIssue[]): void {
  if (vector === null || typeof vector !== 'object' || typeof vector.length !== 'number') {
    issues.push({ path, reason: 'must be an array of numbers' });
    return;
  }
  if (vector.length !== dimension) {
    issues.push({ path, reason: `dimension ${vector.length} does not match the collection's ${dimension}` });
    return;
  }
  for (let j = 0; j < vector.length; j++) {
    const v = vector[j];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      issues.push({ path: `${path}.${j}`, reason: 'must be a finite number' });
      return;
    }
  }
}

function fitsType(field: FieldSpec, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  switch (field.type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
  }
}
