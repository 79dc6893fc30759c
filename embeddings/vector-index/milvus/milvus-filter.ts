/**
 * VectorFilter → Milvus boolean expression (the `filter` of search/query/delete).
 *
 *   eq            segment == "retail"          ne  segment != "retail" (null never matches)
 *   in            segment in ["a", "b"]        range  rate >= 0.1 and rate < 0.5
 *   contains_any  ARRAY_CONTAINS_ANY(channels, ["email"])
 *   tenants       tenant in ["global", "c1"]   (the partition key: Milvus prunes partitions)
 *
 * Field names come only from the collection's declared fields (checked), never from values.
 * String literals are double-quoted with `\` and `"` escaped and CR/LF written as \r \n (Milvus's
 * grammar forbids raw line breaks in a literal); everything else (unicode, `'`) passes as is.
 * The filter is checked, and each edge decided, in ../condition-check.ts (shared with the embedded
 * index and Qdrant). A filter that matches nothing (an empty `in`, `contains_any` or tenant
 * list, a range no number satisfies) translates to `empty` and the adapter answers without
 * asking Milvus (an empty list literal is not valid everywhere). Nullable fields: the shared rule
 * (no condition matches a null, `!=` included) rests on Milvus evaluating comparisons, `in`, `!=`
 * and ARRAY_CONTAINS_ANY on a null as false; the VectorIndex contract checks it on every run with MILVUS_ADDRESS set (milvus-lite 3.2.2: none of
 * them matches a null).
 */
import type { Scalar, VectorFilter } from '../vector-index.ts';
import { checkFilter, rangeBounds, type FieldTypes } from '../condition-check.ts';

export interface MilvusExpression {
  /** The expression; '' when there is nothing to filter. */
  expr: string;
  /** True when no record can match (skip the engine call). */
  empty: boolean;
}

/** A Milvus string literal. */
export function milvusString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** A Milvus literal for a scalar (numbers must be finite; checked before). */
export function milvusLiteral(v: Scalar): string {
  if (typeof v === 'string') return milvusString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return Object.is(v, -0) ? '0' : String(v);
}

export function milvusList(values: Scalar[]): string {
  return `[${values.map(milvusLiteral).join(', ')}]`;
}

/** `id in ["…", …]` for get/delete by id (ids are VarChar primary keys, always strings). */
export function milvusIdsExpr(ids: string[]): string {
  return `id in ${milvusList(ids)}`;
}

/** @throws ALMANAC_ERR_INPUT_INVALID when the filter fails ../condition-check.ts (the message names the field). */
export function toMilvusExpr(filter: VectorFilter | undefined, fields: FieldTypes): MilvusExpression {
  if (checkFilter(filter, fields).empty) return { expr: '', empty: true };
  const parts: string[] = [];
  if (filter?.tenants !== undefined) parts.push(`tenant in ${milvusList(filter.tenants)}`);
  for (const cond of filter?.conditions ?? []) {
    const f = cond.field;
    switch (cond.op) {
      case 'eq':
        parts.push(`${f} == ${milvusLiteral(cond.value)}`);
        break;
      case 'ne':
        parts.push(`${f} != ${milvusLiteral(cond.value)}`);
        break;
      case 'in':
        parts.push(`${f} in ${milvusList(cond.values)}`);
        break;
      case 'range': {
        const { lower, upper } = rangeBounds(cond);
        if (lower) parts.push(`${f} ${lower.inclusive ? '>=' : '>'} ${milvusLiteral(lower.value)}`);
        if (upper) parts.push(`${f} ${upper.inclusive ? '<=' : '<'} ${milvusLiteral(upper.value)}`);
        break;
      }
      case 'contains_any':
        parts.push(`ARRAY_CONTAINS_ANY(${f}, ${milvusList(cond.values)})`);
        break;
    }
  }
  return { expr: parts.length <= 1 ? (parts[0] ?? '') : parts.map((p) => `(${p})`).join(' and '), empty: false };
}
