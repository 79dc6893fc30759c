/**
 * Filter validation shared by the engine translators (Milvus expressions, Qdrant filters), with
 * the embedded index's rules: a condition must name a declared field; eq/ne/in take values of
 * the field's scalar type (not on string[]); range only on numbers with at least one bound;
 * contains_any only on string[]. The reference semantics: ne matches records that have the field
 * with another value; an empty `in`, `contains_any` or tenant list matches nothing.
 */
import { invalidInput } from '../../core/errors.ts';
import type { Condition, Scalar, ScalarType } from './vector-index.ts';

export type FieldTypes = ReadonlyMap<string, ScalarType>;

function fail(i: number, part: string, reason: string): never {
  throw invalidInput(`invalid filter: conditions.${i}.${part}: ${reason}`, [{ path: `filter.conditions.${i}.${part}`, reason }]);
}

function fits(type: ScalarType, v: Scalar): boolean {
  if (type === 'number') return typeof v === 'number' && Number.isFinite(v);
  if (type === 'bool') return typeof v === 'boolean';
  return typeof v === 'string';
}

/** @returns the field's type. @throws ALMANAC_ERR_INPUT_INVALID naming the condition. */
export function checkCondition(fields: FieldTypes, cond: Condition, i: number): ScalarType {
  const type = fields.get(cond.field);
  if (type === undefined) fail(i, 'field', `unknown field '${cond.field}'; fields: ${[...fields.keys()].join(', ')}`);
  switch (cond.op) {
    case 'eq':
    case 'ne':
    case 'in': {
      const values = cond.op === 'in' ? cond.values : [cond.value];
      if (!Array.isArray(values)) fail(i, 'values', 'must be an array');
      if (type === 'string[]') fail(i, 'op', `'${cond.op}' does not apply to type string[] (use contains_any)`);
      const bad = values.find((v) => !fits(type, v));
      if (bad !== undefined) fail(i, 'value', `'${String(bad)}' is not a ${type}`);
      return type;
    }
    case 'range': {
      if (type !== 'number') fail(i, 'op', `'range' does not apply to type ${type}`);
      const bounds = [cond.gt, cond.gte, cond.lt, cond.lte].filter((b) => b !== undefined);
      if (bounds.length === 0) fail(i, 'op', 'range needs at least one of gt, gte, lt, lte');
      if (bounds.some((b) => typeof b !== 'number' || !Number.isFinite(b))) fail(i, 'op', 'range bounds must be finite numbers');
      return type;
    }
    case 'contains_any':
      if (type !== 'string[]') fail(i, 'op', `'contains_any' does not apply to type ${type}`);
      if (!Array.isArray(cond.values) || cond.values.some((v) => typeof v !== 'string')) fail(i, 'values', 'must be an array of strings');
      return type;
    default:
      return fail(i, 'op', `unknown operator '${String((cond as { op: unknown }).op)}'`);
  }
}

/** The effective bounds of a range: gte wins over gt, lte over lt (as in the embedded index). */
export function rangeBounds(cond: Extract<Condition, { op: 'range' }>): { lower?: { value: number; inclusive: boolean }; upper?: { value: number; inclusive: boolean } } {
  const lower = cond.gte !== undefined ? { value: cond.gte, inclusive: true } : cond.gt !== undefined ? { value: cond.gt, inclusive: false } : undefined;
  const upper = cond.lte !== undefined ? { value: cond.lte, inclusive: true } : cond.lt !== undefined ? { value: cond.lt, inclusive: false } : undefined;
  return { ...(lower ? { lower } : {}), ...(upper ? { upper } : {}) };
}
