/**
 * Qdrant adapter of the VectorIndex port (@qdrant/js-client-rest).
 *
 * - Collection: one unnamed vector {size, distance} with HNSW (m 16, ef_construct 200);
 *   payload indexes from the spec (string and string[] → keyword, number → float, bool → bool),
 *   `tenant` as a keyword index with is_tenant (Qdrant co-locates a tenant's points).
 *   The spec's field types are kept in the collection's metadata (Qdrant ≥ 1.16) so another
 *   process can validate filters; without it they are read back from the payload indexes.
 * - Points: id = deterministic UUID of our id (qdrant-point-id.ts); payload = { id, tenant, …metadata }.
 *   Cosine collections store normalised vectors (Qdrant normalises on upsert), so `get` returns
 *   the unit vector.
 * - Writes wait for the update to be applied (wait: true), so a search right after sees them.
 */
import { QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import type { AlmanacConfig } from '../../../core/config.ts';
import { AlmanacError, invalidInput, notFound } from '../../../core/errors.ts';
import { checkName, checkQueryVector, checkRecords, checkSpec } from '../record-check.ts';
import type { FieldTypes } from '../condition-check.ts';
import type { CollectionSpec, FieldSpec, Metric, Scalar, ScalarType, SearchHit, SearchQuery, VectorIndex, VectorIndexCapability, VectorRecord } from '../vector-index.ts';
import { httpStatusOf, qdrantError } from './qdrant-errors.ts';
import { toQdrantFilter } from './qdrant-filter.ts';
import { pointId } from './qdrant-point-id.ts';

const UPSERT_BATCH = 256;
const DISTANCE: Record<Metric, Schemas['Distance']> = { cosine: 'Cosine', l2: 'Euclid', ip: 'Dot' };
const INDEX_TYPE: Record<ScalarType, 'keyword' | 'float' | 'bool'> = { string: 'keyword', 'string[]': 'keyword', number: 'float', bool: 'bool' };

interface CollectionInfo {
  dimension: number;
  metric: Metric;
  fields: Map<string, ScalarType>;
}

/** Builds the Qdrant index from `config.vector.qdrant` (url, apiKey). */
export function createQdrantVectorIndex(config: AlmanacConfig): VectorIndex {
  const { url, apiKey } = config.vector.qdrant;
  if (!url) throw new AlmanacError('ALMANAC_ERR_CONFIG_MISSING_URL', 'ALMANAC_VECTOR=qdrant needs a URL: set QDRANT_URL=http://host:6333');
  return new QdrantVectorIndex(new QdrantClient({ url, apiKey, timeout: 10_000, checkCompatibility: false }));
}

class QdrantVectorIndex implements VectorIndex {
  readonly kind = 'qdrant';
  readonly capabilities: ReadonlySet<VectorIndexCapability> = new Set<VectorIndexCapability>(['aliases', 'persist']);

  constructor(private readonly client: QdrantClient) {}

  async init(): Promise<void> {
    await this.call('connect', undefined, () => this.client.versionInfo());
  }

  async close(): Promise<void> {}

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    checkSpec(spec);
    const { exists } = await this.call('collection exists', spec.name, () => this.client.collectionExists(spec.name));
    if (exists) {
      const info = await this.describe(spec.name);
      if (info.dimension !== spec.dimension || info.metric !== spec.metric) {
        throw invalidInput(`collection '${spec.name}' exists with dimension ${info.dimension}/${info.metric}, asked ${spec.dimension}/${spec.metric}; drop it or use another name`, [
          { path: 'dimension', reason: 'does not match the existing collection' },
        ]);
      }
      return;
    }
    await this.call('create collection', spec.name, () =>
      this.client.createCollection(spec.name, { vectors: { size: spec.dimension, distance: DISTANCE[spec.metric] }, hnsw_config: { m: 16, ef_construct: 200, payload_m: 16 } }));
    const metadata = { almanac_fields: Object.fromEntries(spec.fields.map((f) => [f.name, f.type])) };
    await this.call('set metadata', spec.name, () => this.client.updateCollection(spec.name, { metadata })).catch(() => undefined);
    await this.call('index tenant', spec.name, () =>
      this.client.createPayloadIndex(spec.name, { wait: true, field_name: 'tenant', field_schema: { type: 'keyword', is_tenant: true } }));
    for (const f of spec.fields) {
      await this.call('index field', spec.name, () => this.client.createPayloadIndex(spec.name, { wait: true, field_name: f.name, field_schema: INDEX_TYPE[f.type] }));
    }
  }

  async dropCollection(name: string): Promise<void> {
    checkName('collection', name);
    const { aliases } = await this.call('list aliases', name, () => this.client.getAliases());
    const dangling = aliases.filter((a) => a.collection_name === name).map((a) => ({ delete_alias: { alias_name: a.alias_name } }));
    if (dangling.length > 0) await this.call('drop aliases', name, () => this.client.updateCollectionAliases({ actions: dangling }));
    await this.call('drop collection', name, () => this.client.deleteCollection(name));
  }

  async listCollections(): Promise<string[]> {
    const res = await this.call('list collections', undefined, () => this.client.getCollections());
    return res.collections.map((c) => c.name).sort();
  }

  async upsert(collection: string, records: VectorRecord[]): Promise<void> {
    const info = await this.describe(collection);
    checkRecords(collection, info.dimension, fieldSpecs(info.fields), records);
    for (let i = 0; i < records.length; i += UPSERT_BATCH) {
      const points = records.slice(i, i + UPSERT_BATCH).map((r) => ({
        id: pointId(r.id),
        vector: Array.from(r.vector),
        payload: { ...r.metadata, id: r.id, tenant: r.tenant },
      }));
      await this.call('upsert', collection, () => this.client.upsert(collection, { wait: true, points }));
    }
  }

  async delete(collection: string, ids: string[]): Promise<void> {
    await this.describe(collection);
    if (ids.length === 0) return;
    await this.call('delete', collection, () => this.client.delete(collection, { wait: true, points: ids.map(pointId) }));
  }

  async search(collection: string, query: SearchQuery): Promise<SearchHit[]> {
    const info = await this.describe(collection);
    if (!Number.isInteger(query.topK) || query.topK < 1) {
      throw invalidInput(`invalid search: topK must be an integer ≥ 1, got ${String(query.topK)}`, [{ path: 'query.topK', reason: 'must be an integer ≥ 1' }]);
    }
    checkQueryVector(query.vector, info.dimension);
    const { filter, empty } = toQdrantFilter(query.filter, info.fields);
    if (empty) return [];
    const res = await this.call('search', collection, () =>
      this.client.query(collection, {
        query: Array.from(query.vector),
        limit: query.topK,
        ...(filter ? { filter } : {}),
        with_payload: true,
        params: { hnsw_ef: Math.max(query.ef ?? 64, query.topK) },
      }));
    return res.points.map((p) => {
      const payload = (p.payload ?? {}) as Record<string, unknown>;
      return { id: String(payload.id), score: info.metric === 'l2' ? -p.score : p.score, tenant: String(payload.tenant), metadata: metadataOf(payload, info.fields) };
    });
  }

  async get(collection: string, ids: string[]): Promise<VectorRecord[]> {
    const info = await this.describe(collection);
    if (ids.length === 0) return [];
    const points = await this.call('get', collection, () => this.client.retrieve(collection, { ids: ids.map(pointId), with_payload: true, with_vector: true }));
    return points.map((p) => {
      const payload = (p.payload ?? {}) as Record<string, unknown>;
      return { id: String(payload.id), vector: Array.from(p.vector as number[]), tenant: String(payload.tenant), metadata: metadataOf(payload, info.fields) };
    });
  }

  async count(collection: string): Promise<number> {
    await this.describe(collection);
    const res = await this.call('count', collection, () => this.client.count(collection, { exact: true }));
    return res.count;
  }

  async setAlias(alias: string, collection: string): Promise<void> {
    checkName('alias', alias);
    checkName('collection', collection);
    const { exists } = await this.call('collection exists', collection, () => this.client.collectionExists(collection));
    const { aliases } = await this.call('list aliases', collection, () => this.client.getAliases());
    if (!exists || aliases.some((a) => a.alias_name === collection)) throw notFound('vector collection', collection);
    const current = aliases.find((a) => a.alias_name === alias);
    if (current?.collection_name === collection) return;
    // One request: Qdrant applies the actions atomically, so readers never see the alias missing.
    const actions: Schemas['AliasOperations'][] = [
      ...(current ? [{ delete_alias: { alias_name: alias } }] : []),
      { create_alias: { alias_name: alias, collection_name: collection } },
    ];
    await this.call('switch alias', collection, () => this.client.updateCollectionAliases({ actions }));
  }

  async resolveAlias(alias: string): Promise<string | undefined> {
    checkName('alias', alias);
    const { aliases } = await this.call('list aliases', undefined, () => this.client.getAliases());
    return aliases.find((a) => a.alias_name === alias)?.collection_name;
  }

  async ping(): Promise<boolean> {
    try {
      await this.client.versionInfo();
      return true;
    } catch {
      return false;
    }
  }

  /** Dimension, metric and field types of a collection (or alias). */
  private async describe(name: string): Promise<CollectionInfo> {
    checkName('collection', name);
    const info = await this.call('describe collection', name, () => this.client.getCollection(name));
    const vectors = info.config.params.vectors as Schemas['VectorParams'] | undefined;
    const metric = (Object.keys(DISTANCE) as Metric[]).find((m) => DISTANCE[m] === vectors?.distance);
    if (!vectors || !metric) throw new AlmanacError('ALMANAC_ERR_INTERNAL', `qdrant collection '${name}' has no single vector with a known distance`);
    return { dimension: vectors.size, metric, fields: fieldTypes(info) };
  }

  private async call<T>(operation: string, collection: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (httpStatusOf(err) === 404 && collection !== undefined) throw notFound('vector collection', collection);
      throw qdrantError(err, operation, collection);
    }
  }
}

/**
 * Field types from the collection metadata, else (a collection made by Qdrant < 1.16, which drops
 * metadata) from the payload indexes, where a keyword index cannot tell string from string[]: it
 * is taken as string, so contains_any on such a field is refused — use Qdrant ≥ 1.16.
 */
function fieldTypes(info: Schemas['CollectionInfo']): Map<string, ScalarType> {
  const meta = (info.config.metadata as { almanac_fields?: Record<string, ScalarType> } | null | undefined)?.almanac_fields;
  if (meta) return new Map(Object.entries(meta));
  const out = new Map<string, ScalarType>();
  for (const [name, schema] of Object.entries(info.payload_schema ?? {})) {
    if (name === 'tenant' || name === 'id') continue;
    const t = (schema as { data_type?: string }).data_type;
    out.set(name, t === 'float' ? 'number' : t === 'bool' ? 'bool' : 'string');
  }
  return out;
}

function fieldSpecs(fields: FieldTypes): Map<string, FieldSpec> {
  return new Map([...fields].map(([name, type]) => [name, { name, type }]));
}

function metadataOf(payload: Record<string, unknown>, fields: FieldTypes): Record<string, Scalar | string[]> {
  const out: Record<string, Scalar | string[]> = {};
  for (const name of fields.keys()) {
    const v = payload[name];
    if (v !== null && v !== undefined) out[name] = v as Scalar | string[];
  }
  return out;
}
