/**
 * VectorIndex port: approximate nearest neighbours over pattern embeddings, with scalar metadata
 * filters pushed down to the engine, tenant partitioning, upserts and deletes by id, and aliases
 * (a new index version is built beside the old one, then the alias is switched).
 *
 * Shaped after Milvus and Qdrant: a collection has a fixed schema of scalar fields declared up
 * front (Milvus needs it; Qdrant gets payload indexes from it); the tenant field is Milvus's
 * partition key and Qdrant's `is_tenant` payload index.
 *
 * Adapters: `embedded/` (hnswlib-node, persisted), `milvus/`, `qdrant/`.
 */

export type Metric = 'cosine' | 'l2' | 'ip';
export type ScalarType = 'string' | 'number' | 'bool' | 'string[]';
export type Scalar = string | number | boolean;

export interface FieldSpec {
  name: string;
  type: ScalarType;
}

export interface CollectionSpec {
  name: string;
  dimension: number;
  metric: Metric;
  /** Scalar metadata fields (filterable). `tenant` is implicit and always present. */
  fields: FieldSpec[];
}

export interface VectorRecord {
  /** Stable id; upsert replaces the record with the same id. Any string (ids that look like numbers stay strings). */
  id: string;
  vector: number[] | Float32Array;
  /** Tenant ('global' for cross-client patterns, else a client_id). */
  tenant: string;
  metadata: Record<string, Scalar | string[]>;
}

/**
 * One condition on a scalar field. All conditions of a filter are ANDed. What each operator means
 * at its edges (bounds, missing values, empty lists) and what is rejected is decided once, for every
 * adapter, in condition-check.ts.
 */
export type Condition =
  | { field: string; op: 'eq'; value: Scalar }
  | { field: string; op: 'ne'; value: Scalar }
  | { field: string; op: 'in'; values: Scalar[] }
  | { field: string; op: 'range'; gt?: number; gte?: number; lt?: number; lte?: number }
  /** The string[] field contains any of the values. */
  | { field: string; op: 'contains_any'; values: string[] };

export interface VectorFilter {
  /** Only records of these tenants (undefined = all tenants). */
  tenants?: string[];
  conditions?: Condition[];
}

export interface SearchQuery {
  vector: number[] | Float32Array;
  topK: number;
  filter?: VectorFilter;
  /** Engine search breadth (HNSW ef); undefined = adapter default. */
  ef?: number;
  /**
   * Ask for each hit's stored vector (saves a `get` round trip). Optional for adapters: one that
   * cannot returns hits without `vector`, and the caller reads the vectors with `get`.
   */
  includeVectors?: boolean;
}

export interface SearchHit {
  id: string;
  /** Similarity in [-1, 1] for cosine/ip (higher is closer); negative distance for l2. */
  score: number;
  tenant: string;
  metadata: Record<string, Scalar | string[]>;
  /** The stored vector, present only when the query asked `includeVectors` and the adapter supports it. */
  vector?: number[];
}

export type VectorIndexCapability = 'aliases' | 'persist';

export interface VectorIndex {
  readonly kind: string;
  readonly capabilities: ReadonlySet<VectorIndexCapability>;
  init(): Promise<void>;
  close(): Promise<void>;
  /** Creates the collection if missing; an existing one must have the same dimension and metric. */
  ensureCollection(spec: CollectionSpec): Promise<void>;
  dropCollection(name: string): Promise<void>;
  listCollections(): Promise<string[]>;
  /** Upserts records in batches (idempotent by id). @throws ALMANAC_ERR_INPUT_INVALID on a wrong dimension or unknown field. */
  upsert(collection: string, records: VectorRecord[]): Promise<void>;
  /** Deletes by id; unknown ids are ignored. */
  delete(collection: string, ids: string[]): Promise<void>;
  /**
   * Top-K by similarity with the filter applied inside the engine (not after).
   * @throws ALMANAC_ERR_INPUT_INVALID on a wrong dimension, topK < 1, or a filter condition-check.ts rejects (the message names the field).
   */
  search(collection: string, query: SearchQuery): Promise<SearchHit[]>;
  /** Records by id (missing ids are absent from the result). */
  get(collection: string, ids: string[]): Promise<VectorRecord[]>;
  count(collection: string): Promise<number>;
  /** Points `alias` at `collection` (atomically replaces an existing alias). */
  setAlias(alias: string, collection: string): Promise<void>;
  /** The collection an alias points to, or undefined. */
  resolveAlias(alias: string): Promise<string | undefined>;
  ping(): Promise<boolean>;
}
