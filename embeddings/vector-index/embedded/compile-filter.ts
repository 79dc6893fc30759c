/**
 * Compiles a VectorFilter once per query into a predicate over hnswlib labels. The predicate reads
 * the columnar metadata directly (typed arrays, dictionary codes), so hnswlib can call it for every
 * neighbour it visits — the filter is applied inside the graph walk, not after it.
 *
 * What a filter means, and what is rejected, is decided once in ../condition-check.ts (shared with
 * the Milvus and Qdrant translators): this file only turns a checked filter into predicates.
 */
import { checkFilter, rangeBounds, type FieldTypes, type RangeCondition } from '../condition-check.ts';
import type { Condition, Scalar, VectorFilter } from '../vector-index.ts';
import type { Column, Dictionary } from './metadata-columns.ts';

export type LabelPredicate = (label: number) => boolean;

export interface CompiledFilter {
  /** True for labels that pass every condition and the tenant list. */
  predicate: LabelPredicate;
  /** Tenant codes asked for (undefined = every tenant); unknown tenants are dropped. */
  tenantCodes?: number[];
  /** True when no record can match (e.g. only unknown tenants, or eq on a never-stored value). */
  empty: boolean;
  /**
   * The eq / in (string) and contains_any (string[]) conditions as dictionary codes: a passing
   * label holds one of `codes` in `field` for EACH entry (the inverted lists give the candidates).
   */
  postings: { field: string; codes: number[] }[];
}

export interface FilterTarget {
  collection: string;
  columns: Map<string, Column>;
  tenants: Dictionary;
  tenantOf: () => Int32Array;
}

const NO_FIELDS: FieldTypes = new Map();
const NOTHING: CompiledFilter = { predicate: () => false, tenantCodes: [], empty: true, postings: [] };

/** @throws ALMANAC_ERR_INPUT_INVALID when the filter fails ../condition-check.ts (the message names the field). */
export function compileFilter(target: FilterTarget, filter: VectorFilter | undefined): CompiledFilter {
  const conditions = filter?.conditions ?? [];
  const fields: FieldTypes = Array.isArray(conditions) && conditions.length > 0 ? new Map(Array.from(target.columns.values(), (c) => [c.name, c.type])) : NO_FIELDS;
  if (checkFilter(filter, fields, target.collection).empty) return NOTHING;
  // checked in this order, each only for labels that passed the ones before: value lists first (a
  // channel or industry passes a few percent), then ranges and the rest, the tenants last (most
  // records are global or the asking client's)
  const listChecks: LabelPredicate[] = [];
  const otherChecks: LabelPredicate[] = [];
  let empty = false;
  let tenantCodes: number[] | undefined;
  const postings: CompiledFilter['postings'] = [];
  for (const cond of conditions) {
    const col = target.columns.get(cond.field) as Column; // checked: a declared field
    const check = conditionCheck(col, cond);
    const listed = (cond.op === 'eq' || cond.op === 'in') && col.type === 'string' ? (cond.op === 'eq' ? [cond.value] : cond.values)
      : cond.op === 'contains_any' && col.type === 'string[]' ? cond.values : undefined;
    if (check === 'none') empty = true;
    else (listed !== undefined ? listChecks : otherChecks).push(check);
    if (listed !== undefined && (col.type === 'string' || col.type === 'string[]')) {
      postings.push({ field: col.name, codes: [...new Set(listed.map((v) => col.dict.lookup(String(v))).filter((c) => c >= 0))] });
    }
  }
  const checks = [...listChecks, ...otherChecks];
  if (filter?.tenants !== undefined) {
    tenantCodes = [...new Set(filter.tenants.map((t) => target.tenants.lookup(t)).filter((c) => c >= 0))];
    if (tenantCodes.length === 0) empty = true;
    checks.push(tenantCheck(target, tenantCodes));
  }
  return { predicate: all(checks), tenantCodes, empty, postings };
}

/** True when one of `codes` is in pool[s, s + n): one code (the usual channel or industry filter) is compared directly. */
function anyCodeIn(pool: Int32Array, s: number, n: number, codes: number[], set: Set<number>): boolean {
  if (codes.length === 1) {
    const only = codes[0] as number;
    for (let j = s; j < s + n; j++) if (pool[j] === only) return true;
    return false;
  }
  for (let j = s; j < s + n; j++) if (set.has(pool[j] as number)) return true;
  return false;
}

function all(checks: LabelPredicate[]): LabelPredicate {
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0] as LabelPredicate;
  if (checks.length === 2) {
    const [a, b] = checks as [LabelPredicate, LabelPredicate];
    return (label) => a(label) && b(label);
  }
  if (checks.length === 3) {
    const [a, b, c] = checks as [LabelPredicate, LabelPredicate, LabelPredicate];
    return (label) => a(label) && b(label) && c(label);
  }
  return (label) => {
    for (let i = 0; i < checks.length; i++) if (!(checks[i] as LabelPredicate)(label)) return false;
    return true;
  };
}

function tenantCheck(target: FilterTarget, codes: number[]): LabelPredicate {
  const tenantOf = target.tenantOf(); // captured: no write can run during one synchronous search
  if (codes.length === 1) {
    const only = codes[0] as number;
    return (label) => tenantOf[label] === only;
  }
  if (codes.length === 2) {
    // the usual search: 'global' and the asking client
    const [a, b] = codes as [number, number];
    return (label) => {
      const t = tenantOf[label] as number;
      return t === a || t === b;
    };
  }
  const set = new Set(codes);
  return (label) => set.has(tenantOf[label] as number);
}

/** The predicate of a checked condition; 'none' when no stored value can match. */
function conditionCheck(col: Column, cond: Condition): LabelPredicate | 'none' {
  switch (cond.op) {
    case 'eq':
    case 'in':
      return membership(col, cond.op === 'in' ? cond.values : [cond.value]);
    case 'ne': {
      const present = presentCheck(col);
      const check = membership(col, [cond.value]);
      return check === 'none' ? present : (label) => present(label) && !check(label);
    }
    case 'range':
      return col.type === 'number' ? rangeCheck(col.values, cond) : 'none';
    case 'contains_any': {
      if (col.type !== 'string[]') return 'none';
      const set = new Set(cond.values.map((v) => col.dict.lookup(v)).filter((c) => c >= 0));
      if (set.size === 0) return 'none';
      const codes = [...set];
      const lists = col.lists;
      return (label) => {
        const n = lists.length(label);
        return n > 0 && anyCodeIn(lists.pool, lists.start[label] as number, n, codes, set);
      };
    }
  }
}

/** eq / in over a scalar column (values of the column's type: checked); 'none' when no stored value can match. */
function membership(col: Column, values: Scalar[]): LabelPredicate | 'none' {
  if (col.type === 'string[]' || values.length === 0) return 'none';
  if (col.type === 'string') {
    const codes = values.map((v) => col.dict.lookup(v as string)).filter((c) => c >= 0);
    if (codes.length === 0) return 'none';
    if (codes.length === 1) {
      const only = codes[0] as number;
      return (label) => col.codes[label] === only;
    }
    const set = new Set(codes);
    return (label) => set.has(col.codes[label] as number);
  }
  const wanted = new Set(values.map((v) => (col.type === 'bool' ? (v ? 1 : 0) : (v as number))));
  return (label) => wanted.has(col.values[label] as number);
}

function presentCheck(col: Column): LabelPredicate {
  if (col.type === 'number') return (label) => !Number.isNaN(col.values[label] as number);
  if (col.type === 'bool') return (label) => (col.values[label] as number) >= 0;
  if (col.type === 'string') return (label) => (col.codes[label] as number) >= 0;
  return (label) => col.lists.length(label) >= 0;
}

/** Missing values (NaN) never pass; bounds as rangeBounds decides them. */
function rangeCheck(values: Float64Array, cond: RangeCondition): LabelPredicate {
  const { lower, upper } = rangeBounds(cond);
  const lo = lower?.value ?? Number.NEGATIVE_INFINITY;
  const hi = upper?.value ?? Number.POSITIVE_INFINITY;
  const loOpen = lower !== undefined && !lower.inclusive;
  const hiOpen = upper !== undefined && !upper.inclusive;
  return (label) => {
    const v = values[label] as number;
    if (Number.isNaN(v)) return false;
    if (loOpen ? v <= lo : v < lo) return false;
    return hiOpen ? v < hi : v <= hi;
  };
}
