/** The VectorIndex contract against a real Milvus (MILVUS_ADDRESS=host:19530); skipped without it (see test/real-engines.ts). Reads use Strong consistency (read-your-writes). */
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { afterAll, describe, expect, it } from 'vitest';
import { engineUrl, withoutEngine } from '../real-engines.ts';
import { loadConfig } from '../../core/config.ts';
import { createMilvusVectorIndex } from '../../embeddings/vector-index/milvus/milvus-vector-index.ts';
import { vectorIndexContract } from '../contracts/vector-index.contract.ts';

const address = engineUrl('milvus');

const newIndex = async () => {
  const config = loadConfig({ env: { MILVUS_ADDRESS: address, MILVUS_TOKEN: process.env.MILVUS_TOKEN, ALMANAC_VECTOR: 'milvus' }, overrides: { vector: { milvus: { consistency: 'Strong' } } } });
  const index = createMilvusVectorIndex(config);
  await index.init();
  return index;
};

if (address) {
  vectorIndexContract('milvus', newIndex);

  describe('milvus vector index (real server)', () => {
    const raw = new MilvusClient({ address, token: process.env.MILVUS_TOKEN, logLevel: 'error' });
    const dropped: string[] = [];
    afterAll(async () => {
      for (const name of dropped) await raw.dropCollection({ collection_name: name }).catch(() => undefined);
      await raw.closeConnection();
    });

    it('loads a released collection on the next read (milvus-lite restarts with its collections released)', async () => {
      const index = await newIndex();
      try {
        const name = `mv_released_${Date.now().toString(36)}_${process.pid}`;
        dropped.push(name);
        await index.ensureCollection({ name, dimension: 4, metric: 'cosine', fields: [{ name: 'segment', type: 'string' }] });
        await index.upsert(name, [{ id: 'a', vector: [1, 0, 0, 0], tenant: 'global', metadata: { segment: 'x' } }]);
        for (const read of [
          async () => expect((await index.search(name, { vector: [1, 0, 0, 0], topK: 1 })).map((h) => h.id)).toEqual(['a']),
          async () => expect((await index.get(name, ['a'])).map((r) => r.metadata)).toEqual([{ segment: 'x' }]),
          async () => expect(await index.count(name)).toBe(1),
        ]) {
          expect((await raw.releaseCollection({ collection_name: name })).error_code).toBe('Success');
          await read();
        }
      } finally {
        await index.close();
      }
    });
  });
} else {
  withoutEngine('VectorIndex contract: milvus', 'milvus');
}
