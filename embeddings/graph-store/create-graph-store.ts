import type { AlmanacConfig } from '../../core/config.ts';
import type { GraphStore } from './graph-store.ts';

/** Picks the GraphStore adapter by `config.graph.adapter`; server SDKs load lazily. */
export async function createGraphStore(config: AlmanacConfig): Promise<GraphStore> {
  switch (config.graph.adapter) {
    case 'embedded':
      return (await import('./embedded/embedded-graph-store.ts')).createEmbeddedGraphStore(config);
    case 'neo4j':
      return (await import('./neo4j/neo4j-graph-store.ts')).createNeo4jGraphStore(config);
  }
}
