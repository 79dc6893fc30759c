/** The VectorIndex contract against a real Milvus (MILVUS_ADDRESS=host:19530); skipped without it. Reads use Strong consistency (read-your-writes). */
import { describe, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createMilvusVectorIndex } from '../../embeddings/vector-index/milvus/milvus-vector-index.ts';
import { vectorIndexContract } from '../contracts/vector-index.contract.ts';

const address = process.env.MILVUS_ADDRESS;

if (address) {
  vectorIndexContract('milvus', async () => {
    const config = loadConfig({ env: { MILVUS_ADDRESS: address, MILVUS_TOKEN: process.env.MILVUS_TOKEN, ALMANAC_VECTOR: 'milvus' }, overrides: { vector: { milvus: { consistency: 'Strong' } } } });
    const index = createMilvusVectorIndex(config);
    await index.init();
    return index;
  });
} else {
  describe('VectorIndex contract: milvus', () => {
    it.skip('skipped: set MILVUS_ADDRESS=localhost:19530 (docker-compose -f deploy/compose.yaml up -d milvus)', () => {});
  });
}
