/**
 * CollectionSpec ↔ Milvus schema. `id` is a VarChar primary key (ids that look like numbers stay
 * strings), `vector` a FloatVector, `tenant` a VarChar partition key (Milvus hashes tenants into
 * partitions and prunes them on `tenant in [...]`), and each declared field a nullable scalar:
 * string → VarChar, number → Double, bool → Bool, string[] → Array<VarChar>. The vector gets an
 * HNSW index with the collection's metric.
 */
import { DataType, type FieldType } from '@zilliz/milvus2-sdk-node';
import type { CollectionSpec, Metric, ScalarType } from '../vector-index.ts';

export const ID_MAX_LENGTH = 512;
export const TENANT_MAX_LENGTH = 256;
export const STRING_MAX_LENGTH = 65_535;
export const ARRAY_MAX_CAPACITY = 1024;
export const ARRAY_ELEMENT_MAX_LENGTH = 1024;
export const HNSW = { M: 16, efConstruction: 200 } as const;

const METRICS: Record<Metric, string> = { cosine: 'COSINE', l2: 'L2', ip: 'IP' };

export function milvusMetric(metric: Metric): string {
  return METRICS[metric];
}

export function metricFromMilvus(name: string | undefined): Metric | undefined {
  return (Object.keys(METRICS) as Metric[]).find((m) => METRICS[m] === name?.toUpperCase());
}

function scalarField(name: string, type: ScalarType): FieldType {
  switch (type) {
    case 'string':
      return { name, data_type: DataType.VarChar, max_length: STRING_MAX_LENGTH, nullable: true };
    case 'number':
      return { name, data_type: DataType.Double, nullable: true };
    case 'bool':
      return { name, data_type: DataType.Bool, nullable: true };
    case 'string[]':
      return { name, data_type: DataType.Array, element_type: DataType.VarChar, max_capacity: ARRAY_MAX_CAPACITY, max_length: ARRAY_ELEMENT_MAX_LENGTH, nullable: true };
  }
}

export function milvusFields(spec: CollectionSpec): FieldType[] {
  return [
    { name: 'id', data_type: DataType.VarChar, is_primary_key: true, autoID: false, max_length: ID_MAX_LENGTH },
    { name: 'vector', data_type: DataType.FloatVector, dim: spec.dimension },
    { name: 'tenant', data_type: DataType.VarChar, is_partition_key: true, max_length: TENANT_MAX_LENGTH },
    ...spec.fields.map((f) => scalarField(f.name, f.type)),
  ];
}

interface DescribedField {
  name: string;
  data_type?: string;
  element_type?: string;
  dim?: unknown;
  type_params?: { key: string; value: unknown }[];
}

/** Our scalar fields and the dimension back from describeCollection's schema. */
export function specFromSchema(fields: DescribedField[]): { fields: Map<string, ScalarType>; dimension: number } {
  const out = new Map<string, ScalarType>();
  let dimension = 0;
  for (const f of fields) {
    if (f.name === 'vector') {
      dimension = Number(f.dim ?? f.type_params?.find((p) => p.key === 'dim')?.value ?? 0);
      continue;
    }
    if (f.name === 'id' || f.name === 'tenant') continue;
    const t = f.data_type;
    if (t === 'VarChar') out.set(f.name, 'string');
    else if (t === 'Double') out.set(f.name, 'number');
    else if (t === 'Bool') out.set(f.name, 'bool');
    else if (t === 'Array') out.set(f.name, 'string[]');
  }
  return { fields: out, dimension };
}
