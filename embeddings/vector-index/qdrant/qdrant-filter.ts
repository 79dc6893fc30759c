/**
 * VectorFilter → Qdrant filter object (`must` of one condition per ours, applied during the HNSW
 * walk by Qdrant's filterable index):
 *
 *   eq    string/bool → { key, match: { value } }; number → { key, range: { gte: v, lte: v } }
 *         (Qdrant matches only keywords, integers and bools exactly; a float needs a range)
 *   ne    string → { must: [{ key, match: { except: [v] } }], must_not: [{ is_empty: { key } }] }
 *         bool → { key, match: { value: !v } }; number → { must_not: [range v..v, is_empty] }
 *         (ne never matches a record without the field, as in the embedded index)
 *   in    string → { key, match: { any: [...] } }; number/bool → { should: [eq, …] }
 *   range { key, range: { gt|gte, lt|lte } }   contains_any  { key, match: { any: [...] } }
 *   tenants  { key: 'tenant', match: { any: [...] } } (tenant is an is_tenant keyword index)
 *
 * Values travel as JSON, so quotes, backslashes and unicode need no escaping. An empty `in`,
 * `contains_any` or tenant list matches nothing (`empty`: the adapter skips the call).
 */
import type { Schemas } from '@qdrant/js-client-rest';
import type { Condition, Scalar, VectorFilter } from '../vector-index.ts';
import { checkCondition, rangeBounds, type FieldTypes } from '../condition-check.ts';

export type QdrantFilter = Schemas['Filter'];
type QdrantCondition = Schemas['Condition'];

export interface QdrantTranslation {
  /** undefined when there is nothing to filter. */
  filter?: QdrantFilter;
  empty: boolean;
}

function eq(field: string, v: Scalar): QdrantCondition {
  return typeof v === 'number' ? { key: field, range: { gte: v, lte: v } } : { key: field, match: { value: v } };
}

function ne(field: string, v: Scalar): QdrantCondition {
  if (typeof v === 'boolean') return { key: field, match: { value: !v } };
  if (typeof v === 'string') return { must: [{ key: field, match: { except: [v] } }], must_not: [{ is_empty: { key: field } }] };
  return { must_not: [{ key: field, range: { gte: v, lte: v } }, { is_empty: { key: field } }] };
}

function within(field: string, values: Scalar[]): QdrantCondition {
  if (values.every((v) => typeof v === 'string')) return { key: field, match: { any: values as string[] } };
  return { should: values.map((v) => eq(field, v)) };
}

function translate(cond: Condition): QdrantCondition | 'none' {
  switch (cond.op) {
    case 'eq':
      return eq(cond.field, cond.value);
    case 'ne':
      return ne(cond.field, cond.value);
    case 'in':
      return cond.values.length === 0 ? 'none' : within(cond.field, cond.values);
    case 'range': {
      const { lower, upper } = rangeBounds(cond);
      const range: Schemas['Range'] = {};
      if (lower) range[lower.inclusive ? 'gte' : 'gt'] = lower.value;
      if (upper) range[upper.inclusive ? 'lte' : 'lt'] = upper.value;
      return { key: cond.field, range };
    }
    case 'contains_any':
      return cond.values.length === 0 ? 'none' : { key: cond.field, match: { any: cond.values } };
  }
}

/** @throws ALMANAC_ERR_INPUT_INVALID on an unknown field or an operator that does not fit its type. */
export function toQdrantFilter(filter: VectorFilter | undefined, fields: FieldTypes): QdrantTranslation {
  const must: QdrantCondition[] = [];
  let empty = false;
  if (filter?.tenants !== undefined) {
    if (filter.tenants.length === 0) empty = true;
    else must.push({ key: 'tenant', match: { any: filter.tenants } });
  }
  (filter?.conditions ?? []).forEach((cond, i) => {
    checkCondition(fields, cond, i);
    const c = translate(cond);
    if (c === 'none') empty = true;
    else must.push(c);
  });
  return must.length === 0 ? { empty } : { filter: { must }, empty };
}
