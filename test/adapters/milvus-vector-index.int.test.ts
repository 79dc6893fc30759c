/** The VectorIndex contract against a real Milvus (MILVUS_ADDRESS=host:19530); skipped without it (see test/real-engines.ts). Reads use Strong consistency (read-your-writes). */
import { engineUrl, withoutEngine } from '../real-engines.ts';
import { loadConfig } from '../../core/config.ts';
import { createMilvusVectorIndex } from '../../embeddings/vector-index/milvus/milvus-vector-index.ts';
import { vectorIndexContract } from '../contracts/vector-index.contract.ts';

const address = engineUrl('milvus');

if (address) {
  vectorIndexContract('milvus', async () => {
    const config = loadConfig({ env: { MILVUS_ADDRESS: address, MILVUS_TOKEN: process.env.MILVUS_TOKEN, ALMANAC_VECTOR: 'milvus' }, overrides: { vector: { milvus: { consistency: 'Strong' } } } });
    const index = createMilvusVectorIndex(config);
    await index.init();
    return index;
  });
} else {
  withoutEngine('VectorIndex contract: milvus', 'milvus');
}
