/** The GraphStore contract against a real Neo4j (NEO4J_URI=bolt://host:7687, NEO4J_USER/NEO4J_PASSWORD); skipped without it (see test/real-engines.ts). */
import { engineUrl, withoutEngine } from '../real-engines.ts';
import { loadConfig } from '../../core/config.ts';
import { createNeo4jGraphStore } from '../../embeddings/graph-store/neo4j/neo4j-graph-store.ts';
import { graphStoreContract } from '../contracts/graph-store.contract.ts';

const uri = process.env.NEO4J_URI;

if (uri) {
  graphStoreContract('neo4j', async () => {
    const env = { NEO4J_URI: uri, NEO4J_USER: process.env.NEO4J_USER, NEO4J_PASSWORD: process.env.NEO4J_PASSWORD, ALMANAC_GRAPH: 'neo4j' };
    const store = createNeo4jGraphStore(loadConfig({ env }));
    await store.init();
    return store;
  });
} else {
  withoutEngine('GraphStore contract: neo4j', 'neo4j');
}
