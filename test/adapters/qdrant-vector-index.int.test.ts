/** The VectorIndex contract against a real Qdrant (QDRANT_URL=http://host:6333); skipped without it. */
import { describe, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createQdrantVectorIndex } from '../../embeddings/vector-index/qdrant/qdrant-vector-index.ts';
import { vectorIndexContract } from '../contracts/vector-index.contract.ts';

const url = process.env.QDRANT_URL;

if (url) {
  vectorIndexContract('qdrant', async () => {
    const index = createQdrantVectorIndex(loadConfig({ env: { QDRANT_URL: url, QDRANT_API_KEY: process.env.QDRANT_API_KEY, ALMANAC_VECTOR: 'qdrant' } }));
    await index.init();
    return index;
  });
} else {
  describe('VectorIndex contract: qdrant', () => {
    it.skip('skipped: set QDRANT_URL=http://localhost:6333 (docker-compose -f deploy/compose.yaml up -d qdrant)', () => {});
  });
}
