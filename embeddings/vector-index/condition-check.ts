/**
 * The one validation and the one semantics of a VectorFilter. Every adapter (the embedded filter
 * compiler, the Milvus expression and Qdrant filter translators) calls `checkFilter` first and
 * translates only what passed, so each edge is decided here, once:
 *
 * - A condition names a declared field (`tenant` and `id` are not fields: filter tenants with
 *   `tenants`). Values must have the field's type, without coercion (1 is neither '1' nor true;
 *   numbers are finite). eq / ne / in apply to string, number and bool fields, contains_any to
 *   string[] fields only, range to number fields only. Anything else, and an unknown operator, is
 *   ALMANAC_ERR_INPUT_INVALID naming the field and the condition.
 * - range: at least one finite bound of gt, gte, lt, lte (a range with no bound is rejected, never
 *   "match everything"); gt/lt are exclusive, gte/lte inclusive; every bound given applies (the
 *   tightest lower and upper bound win; at the same value the exclusive one); a range no number
 *   satisfies (lower above upper) matches nothing.
 * - A record without the field (never set, or null) matches no condition on it, `ne` included:
 *   ne means "has the field, with another value".
 * - contains_any matches a record whose list holds any of the values; an empty stored list holds
 *   none. An empty `in`, `contains_any` or `tenants` list matches nothing (`empty`: the adapter
 *   answers [] without asking the engine). `tenants` is an array of strings; an unknown tenant
 *   matches nothing.
 */
import { invalidInput } from '../../core/errors.ts';
import type { Condition, Scalar, ScalarType, VectorFilter } from './vector-index.ts';

export type FieldTypes = ReadonlyMap<string, ScalarType>;

export type RangeCondition = Extract<Condition, { op: 'range' }>;

interface Bound {
  value: number;
  inclusive: boolean;
}

export interface CheckedFilter {
  /** True when no record can match (an empty list, or a range no number satisfies). */
  empty: boolean;
}

function fail(where: string, part: string, reason: string, collection?: string): never {
  const of = collection === undefined ? '' : ` of collection '${collection}'`;
  throw invalidInput(`invalid filter${where}${of}: ${part === '' ? '' : `${part}: `}${reason}`, [{ path: part === '' ? 'filter' : `filter.${part}`, reason }]);
}

function fits(type: ScalarType, v: Scalar): boolean {
  if (type === 'number') return typeof v === 'number' && Number.isFinite(v);
  if (type === 'bool') return typeof v === 'boolean';
  return typeof v === 'string';
}

const isBound = (b: unknown): boolean => typeof b === 'number' && Number.isFinite(b);

/**
 * Validates a whole filter against the collection's declared fields.
 * @param collection - named in the error message when given.
 * @returns whether the filter can match nothing (the adapter may skip the engine call).
 * @throws ALMANAC_ERR_INPUT_INVALID naming the field and the condition (`filter.conditions.<i>.<part>`).
 */
export function checkFilter(filter: VectorFilter | undefined, fields: FieldTypes, collection?: string): CheckedFilter {
  if (filter === undefined) return { empty: false };
  if (filter === null || typeof filter !== 'object') fail('', '', 'must be an object with tenants and/or conditions', collection);
  let empty = false;
  if (filter.tenants !== undefined) {
    if (!Array.isArray(filter.tenants) || filter.tenants.some((t) => typeof t !== 'string')) fail('', 'tenants', 'must be an array of strings', collection);
    if (filter.tenants.length === 0) empty = true;
  }
  if (filter.conditions !== undefined) {
    if (!Array.isArray(filter.conditions)) fail('', 'conditions', 'must be an array of conditions', collection);
    filter.conditions.forEach((cond, i) => {
      if (checkCondition(fields, cond, i, collection)) empty = true;
    });
  }
  return { empty };
}

/** @returns true when the (valid) condition matches nothing. */
function checkCondition(fields: FieldTypes, cond: Condition, i: number, collection?: string): boolean {
  if (cond === null || typeof cond !== 'object' || typeof cond.field !== 'string') fail('', `conditions.${i}`, 'must be an object with a field name', collection);
  const bad = (part: string, reason: string): never => fail(` on field '${cond.field}'`, `conditions.${i}.${part}`, reason, collection);
  const type = fields.get(cond.field);
  if (type === undefined) bad('field', `unknown field '${cond.field}'; fields: ${[...fields.keys()].join(', ')}`);
  switch (cond.op) {
    case 'eq':
    case 'ne':
    case 'in': {
      const values = cond.op === 'in' ? cond.values : [cond.value];
      if (!Array.isArray(values)) bad('values', 'must be an array');
      if (type === 'string[]') bad('op', `'${cond.op}' does not apply to type string[] (use contains_any)`);
      const at = values.findIndex((v) => !fits(type as ScalarType, v));
      if (at >= 0) bad(cond.op === 'in' ? `values.${at}` : 'value', `'${String(values[at])}' is not a ${type}`);
      return values.length === 0;
    }
    case 'range': {
      if (type !== 'number') bad('op', `'range' does not apply to type ${type}`);
      const given = [cond.gt, cond.gte, cond.lt, cond.lte].filter((b) => b !== undefined);
      if (given.length === 0) bad('op', 'range needs at least one of gt, gte, lt, lte');
      if (!given.every(isBound)) bad('op', `range bounds must be finite numbers, got ${given.map(String).join(', ')}`);
      return rangeIsEmpty(rangeBounds(cond));
    }
    case 'contains_any':
      if (type !== 'string[]') bad('op', `'contains_any' does not apply to type ${type}`);
      if (!Array.isArray(cond.values) || cond.values.some((v) => typeof v !== 'string')) bad('values', 'must be an array of strings');
      return cond.values.length === 0;
    default:
      return bad('op', `unknown operator '${String((cond as { op: unknown }).op)}'`);
  }
}

function tighter(a: Bound | undefined, b: Bound | undefined, lower: boolean): Bound | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a.value !== b.value) return (lower ? a.value > b.value : a.value < b.value) ? a : b;
  return a.inclusive ? b : a;
}

const bound = (value: number | undefined, inclusive: boolean): Bound | undefined => (value === undefined ? undefined : { value, inclusive });

/**
 * The effective bounds of a (checked) range: every given bound applies, so the tightest lower and
 * the tightest upper bound win; at the same value the exclusive one (gt over gte, lt over lte).
 */
export function rangeBounds(cond: RangeCondition): { lower?: Bound; upper?: Bound } {
  const lower = tighter(bound(cond.gt, false), bound(cond.gte, true), true);
  const upper = tighter(bound(cond.lt, false), bound(cond.lte, true), false);
  return { ...(lower ? { lower } : {}), ...(upper ? { upper } : {}) };
}

function rangeIsEmpty({ lower, upper }: { lower?: Bound; upper?: Bound }): boolean {
  if (lower === undefined || upper === undefined) return false;
  return lower.value > upper.value || (lower.value === upper.value && !(lower.inclusive && upper.inclusive));
}
