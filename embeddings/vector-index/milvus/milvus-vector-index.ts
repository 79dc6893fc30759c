/**
 * Milvus adapter of the VectorIndex port (@zilliz/milvus2-sdk-node, gRPC).
 *
 * Schema in milvus-schema.ts (VarChar ids, tenant partition key, nullable scalar fields, HNSW),
 * filters in milvus-filter.ts (pushed into the search as a boolean expression). Reads use the
 * configured consistency level (`vector.milvus.consistency`; 'Strong' for read-your-writes,
 * 'Bounded' — the default — trades a little staleness for latency). Aliases map to Milvus
 * aliases (createAlias/alterAlias: the switch is atomic on the server). A read answered
 * "collection not loaded" loads the collection and is retried once (milvus-lite restarts with its
 * collections released).
 */
import { ConsistencyLevelEnum, MilvusClient } from '@zilliz/milvus2-sdk-node';
import type { AlmanacConfig } from '../../../core/config.ts';
import { AlmanacError, invalidInput, notFound } from '../../../core/errors.ts';
import { checkName, checkQueryVector, checkRecords, checkSpec } from '../record-check.ts';
import type { CollectionSpec, FieldSpec, Metric, Scalar, ScalarType, SearchHit, SearchQuery, VectorIndex, VectorIndexCapability, VectorRecord } from '../vector-index.ts';
import { checkStatus, isNotLoaded, milvusError } from './milvus-errors.ts';
import { milvusIdsExpr, toMilvusExpr } from './milvus-filter.ts';
import { HNSW, ID_MAX_LENGTH, metricFromMilvus, milvusFields, milvusMetric, specFromSchema } from './milvus-schema.ts';

const UPSERT_BATCH = 500;

interface CollectionInfo {
  name: string;
  fields: Map<string, ScalarType>;
  dimension: number;
  metric: Metric;
}

/** Builds the Milvus index from `config.vector.milvus` (address, token, consistency). */
export function createMilvusVectorIndex(config: AlmanacConfig): VectorIndex {
  const { address, token, consistency } = config.vector.milvus;
  if (!address) throw new AlmanacError('ALMANAC_ERR_CONFIG_MISSING_URL', 'ALMANAC_VECTOR=milvus needs an address: set MILVUS_ADDRESS=host:19530');
  // logLevel: the SDK's own logger otherwise switches to 'debug' under NODE_ENV=test (vitest sets
  // it) and prints every request and response, vectors included.
  return new MilvusVectorIndex(new MilvusClient({ address, token, timeout: 10_000, logLevel: 'error' }), ConsistencyLevelEnum[consistency]);
}

class MilvusVectorIndex implements VectorIndex {
  readonly kind = 'milvus';
  readonly capabilities: ReadonlySet<VectorIndexCapability> = new Set<VectorIndexCapability>(['aliases', 'persist']);
  private infos = new Map<string, CollectionInfo>();

  constructor(
    private readonly client: MilvusClient,
    private readonly consistency: ConsistencyLevelEnum,
  ) {}

  async init(): Promise<void> {
    try {
      await this.client.connectPromise;
    } catch (err) {
      throw milvusError(err, 'connect');
    }
  }

  async close(): Promise<void> {
    await this.client.closeConnection().catch(() => undefined);
  }

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    checkSpec(spec);
    const existing = await this.describe(spec.name).catch((e: unknown) => {
      if (e instanceof AlmanacError && e.code === 'ALMANAC_ERR_INPUT_NOT_FOUND') return undefined;
      throw e;
    });
    if (existing) {
      if (existing.dimension !== spec.dimension || existing.metric !== spec.metric) {
        throw invalidInput(`collection '${spec.name}' exists with dimension ${existing.dimension}/${existing.metric}, asked ${spec.dimension}/${spec.metric}; drop it or use another name`, [
          { path: 'dimension', reason: 'does not match the existing collection' },
        ]);
      }
      return;
    }
    await this.call('create collection', spec.name, () =>
      this.client.createCollection({ collection_name: spec.name, fields: milvusFields(spec), consistency_level: ConsistencyLevelEnum[this.consistency] as never, enable_dynamic_field: false }));
    await this.call('create index', spec.name, () =>
      this.client.createIndex({ collection_name: spec.name, field_name: 'vector', index_type: 'HNSW', metric_type: milvusMetric(spec.metric), params: { ...HNSW } }));
    await this.call('load collection', spec.name, () => this.client.loadCollection({ collection_name: spec.name }));
  }

  async dropCollection(name: string): Promise<void> {
    checkName('collection', name);
    this.infos.delete(name);
    const has = await this.call('has collection', name, () => this.client.hasCollection({ collection_name: name }));
    if (!has.value) return;
    const aliases = await this.call('list aliases', name, () => this.client.listAliases({ collection_name: name }));
    for (const alias of aliases.aliases ?? []) await this.call('drop alias', name, () => this.client.dropAlias({ alias }));
    await this.call('drop collection', name, () => this.client.dropCollection({ collection_name: name }));
  }

  async listCollections(): Promise<string[]> {
    const res = await this.call('list collections', undefined, () => this.client.showCollections());
    return res.data.map((c) => c.name).sort();
  }

  async upsert(collection: string, records: VectorRecord[]): Promise<void> {
    const info = await this.describe(collection);
    checkRecords(collection, info.dimension, fieldSpecs(info), records);
    const long = records.findIndex((r) => r.id.length > ID_MAX_LENGTH);
    if (long >= 0) throw invalidInput(`record id longer than ${ID_MAX_LENGTH} characters`, [{ path: `records.${long}.id`, reason: `longer than ${ID_MAX_LENGTH}` }]);
    for (let i = 0; i < records.length; i += UPSERT_BATCH) {
      const data = records.slice(i, i + UPSERT_BATCH).map((r) => toRow(r, info));
      await this.call('upsert', collection, () => this.client.upsert({ collection_name: info.name, data: data as never }));
    }
  }

  async delete(collection: string, ids: string[]): Promise<void> {
    const info = await this.describe(collection);
    if (ids.length === 0) return;
    await this.call('delete', collection, () => this.client.delete({ collection_name: info.name, filter: milvusIdsExpr(ids) }));
  }

  async search(collection: string, query: SearchQuery): Promise<SearchHit[]> {
    const info = await this.describe(collection);
    if (!Number.isInteger(query.topK) || query.topK < 1) {
      throw invalidInput(`invalid search: topK must be an integer ≥ 1, got ${String(query.topK)}`, [{ path: 'query.topK', reason: 'must be an integer ≥ 1' }]);
    }
    checkQueryVector(query.vector, info.dimension);
    const { expr, empty } = toMilvusExpr(query.filter, info.fields);
    if (empty) return [];
    const res = await this.read('search', collection, info.name, () =>
      this.client.search({
        collection_name: info.name,
        anns_field: 'vector',
        data: Array.from(query.vector),
        limit: query.topK,
        ...(expr ? { filter: expr } : {}),
        // The primary key is listed: SDK 3.x builds each hit from output_fields only, and
        // milvus-lite returns the key only when asked (real Milvus accepts it too).
        output_fields: ['id', 'tenant', ...info.fields.keys()],
        params: { ef: Math.max(query.ef ?? 64, query.topK) },
        consistency_level: this.consistency,
      }));
    const rows = (res.results ?? []) as unknown as Record<string, unknown>[];
    return rows.map((row) => ({
      id: String(row.id),
      score: info.metric === 'l2' ? -Math.sqrt(Math.max(0, Number(row.score))) : Number(row.score),
      tenant: String(row.tenant),
      metadata: metadataOf(row, info),
    }));
  }

  async get(collection: string, ids: string[]): Promise<VectorRecord[]> {
    const info = await this.describe(collection);
    if (ids.length === 0) return [];
    const res = await this.read('get', collection, info.name, () =>
      this.client.query({ collection_name: info.name, filter: milvusIdsExpr(ids), output_fields: ['id', 'vector', 'tenant', ...info.fields.keys()], consistency_level: this.consistency }));
    return (res.data as Record<string, unknown>[]).map((row) => ({
      id: String(row.id),
      vector: Array.from(row.vector as number[]),
      tenant: String(row.tenant),
      metadata: metadataOf(row, info),
    }));
  }

  async count(collection: string): Promise<number> {
    const info = await this.describe(collection);
    const res = await this.read('count', collection, info.name, () =>
      this.client.query({ collection_name: info.name, filter: '', output_fields: ['count(*)'], consistency_level: this.consistency }));
    return Number((res.data as Record<string, unknown>[])[0]?.['count(*)'] ?? 0);
  }

  async setAlias(alias: string, collection: string): Promise<void> {
    checkName('alias', alias);
    checkName('collection', collection);
    const has = await this.call('has collection', collection, () => this.client.hasCollection({ collection_name: collection }));
    if (!has.value || (await this.resolveAlias(collection)) !== undefined) throw notFound('vector collection', collection);
    const current = await this.resolveAlias(alias);
    if (current === collection) return;
    if (current === undefined) await this.call('create alias', collection, () => this.client.createAlias({ alias, collection_name: collection }));
    else await this.call('alter alias', collection, () => this.client.alterAlias({ alias, collection_name: collection }));
    this.infos.delete(alias);
  }

  async resolveAlias(alias: string): Promise<string | undefined> {
    checkName('alias', alias);
    try {
      // DescribeAliasRequest has no collection name (base, db_name, alias), but SDK 3.x checks for
      // one before sending: an empty one threw client-side, so no alias was ever found. Any
      // non-empty value passes the check and is not sent.
      const res = await this.client.describeAlias({ alias, collection_name: alias });
      const ok = (res.status?.error_code === 'Success' || res.status?.error_code === undefined) && (res.status?.code ?? 0) === 0;
      return ok && res.collection ? res.collection : undefined;
    } catch (err) {
      const mapped = milvusError(err, 'describe alias');
      if (mapped.code === 'ALMANAC_ERR_STORE_UNAVAILABLE') throw mapped;
      return undefined;
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.client.checkHealth()).isHealthy;
    } catch {
      return false;
    }
  }

  /** Schema, dimension and metric of a collection or alias (cached for real collections). */
  private async describe(name: string): Promise<CollectionInfo> {
    checkName('collection', name);
    const cached = this.infos.get(name);
    if (cached) return cached;
    const described = await this.call('describe collection', name, () => this.client.describeCollection({ collection_name: name }));
    const real = described.collection_name || name;
    const { fields, dimension } = specFromSchema(described.schema.fields as never);
    const index = await this.call('describe index', name, () => this.client.describeIndex({ collection_name: real, field_name: 'vector' }));
    const metricName = index.index_descriptions?.[0]?.params.find((p) => p.key === 'metric_type')?.value;
    const metric = metricFromMilvus(String(metricName));
    if (!metric) throw new AlmanacError('ALMANAC_ERR_INTERNAL', `milvus collection '${real}' has no vector index with a known metric (${String(metricName)})`);
    const info = { name: real, fields, dimension, metric };
    if (real === name) this.infos.set(name, info);
    return info;
  }

  /**
   * A search or query: when Milvus answers that the collection is not loaded (milvus-lite after a
   * restart; a release on Milvus standalone), loads it and tries once more.
   */
  private async read<T extends object>(operation: string, collection: string, real: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.call(operation, collection, fn);
    } catch (err) {
      if (!isNotLoaded(err)) throw err;
      await this.call('load collection', collection, () => this.client.loadCollection({ collection_name: real }));
      return this.call(operation, collection, fn);
    }
  }

  /** Runs one SDK call: thrown errors and non-success statuses both become AlmanacErrors. */
  private async call<T extends object>(operation: string, collection: string | undefined, fn: () => Promise<T>): Promise<T> {
    let res: T;
    try {
      res = await fn();
    } catch (err) {
      throw milvusError(err, operation, collection);
    }
    const status = 'status' in res ? (res.status as Parameters<typeof checkStatus>[0]) : 'error_code' in res ? (res as Parameters<typeof checkStatus>[0]) : undefined;
    checkStatus(status, operation, collection);
    return res;
  }
}

function fieldSpecs(info: CollectionInfo): Map<string, FieldSpec> {
  return new Map([...info.fields].map(([name, type]) => [name, { name, type }]));
}

function toRow(r: VectorRecord, info: CollectionInfo): Record<string, unknown> {
  const row: Record<string, unknown> = { id: r.id, vector: Array.from(r.vector), tenant: r.tenant };
  for (const name of info.fields.keys()) row[name] = r.metadata[name] ?? null;
  return row;
}

function metadataOf(row: Record<string, unknown>, info: CollectionInfo): Record<string, Scalar | string[]> {
  const out: Record<string, Scalar | string[]> = {};
  for (const name of info.fields.keys()) {
    const v = row[name];
    if (v !== null && v !== undefined) out[name] = v as Scalar | string[];
  }
  return out;
}
