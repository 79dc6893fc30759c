/** The VectorIndex contract against a real Qdrant (QDRANT_URL=http://host:6333); skipped without it (see test/real-engines.ts). */
import { engineUrl, withoutEngine } from '../real-engines.ts';
import { loadConfig } from '../../core/config.ts';
import { createQdrantVectorIndex } from '../../embeddings/vector-index/qdrant/qdrant-vector-index.ts';
import { vectorIndexContract } from '../contracts/vector-index.contract.ts';

const url = engineUrl('qdrant');

if (url) {
  vectorIndexContract('qdrant', async () => {
    const index = createQdrantVectorIndex(loadConfig({ env: { QDRANT_URL: url, QDRANT_API_KEY: process.env.QDRANT_API_KEY, ALMANAC_VECTOR: 'qdrant' } }));
    await index.init();
    return index;
  });
} else {
  withoutEngine('VectorIndex contract: qdrant', 'qdrant', 'no registry ships its server; point QDRANT_URL at a Qdrant of your own');
}
