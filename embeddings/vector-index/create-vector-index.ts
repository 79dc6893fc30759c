import type { AlmanacConfig } from '../../core/config.ts';
import type { VectorIndex } from './vector-index.ts';

/** Picks the VectorIndex adapter by `config.vector.adapter`; server SDKs load lazily. */
export async function createVectorIndex(config: AlmanacConfig): Promise<VectorIndex> {
  switch (config.vector.adapter) {
    case 'embedded':
      return (await import('./embedded/embedded-vector-index.ts')).createEmbeddedVectorIndex(config);
    case 'milvus':
      return (await import('./milvus/milvus-vector-index.ts')).createMilvusVectorIndex(config);
    case 'qdrant':
      return (await import('./qdrant/qdrant-vector-index.ts')).createQdrantVectorIndex(config);
  }
}
