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
 * Values travel as JSON, so quotes, backslashes and unicode need no escaping. The filter is
 * checked, and each edge decided, in ../condition-check.ts (shared with the embedded index and
 * Milvus); a filter that matches nothing (an empty `in`, `contains_any` or tenant list, a range
 * no number satisfies) is `empty`: the adapter skips the call. A null payload value counts as
 * missing (Qdrant's match and range skip it; `is_empty` covers it for ne).
 */
import type { Schemas } from '@qdrant/js-client-rest';
import type { Condition, Scalar, VectorFilter } from '../vector-index.ts';
import { checkFilter, rangeBounds, type FieldTypes } from '../condition-check.ts';

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

function translate(cond: Condition): QdrantCondition {
  switch (cond.op) {
    case 'eq':
      return eq(cond.field, cond.value);
    case 'ne':
      return ne(cond.field, cond.value);
    case 'in':
      return within(cond.field, cond.values);
    case 'range': {
      const { lower, upper } = rangeBounds(cond);
      const range: Schemas['Range'] = {};
      if (lower) range[lower.inclusive ? 'gte' : 'gt'] = lower.value;
      if (upper) range[upper.inclusive ? 'lte' : 'lt'] = upper.value;
      return { key: cond.field, range };
    }
    case 'contains_any':
      return { key: cond.field, match: { any: cond.values } };
  }
}

/** @throws ALMANAC_ERR_INPUT_INVALID when the filter fails ../condition-check.ts (the message names the field). */
export function toQdrantFilter(filter: VectorFilter | undefined, fields: FieldTypes): QdrantTranslation {
  if (checkFilter(filter, fields).empty) return { empty: true };
  const must: QdrantCondition[] = [];
  if (filter?.tenants !== undefined) must.push({ key: 'tenant', match: { any: filter.tenants } });
  for (const cond of filter?.conditions ?? []) must.push(translate(cond));
  return must.length === 0 ? { empty: false } : { filter: { must }, empty: false };
}
