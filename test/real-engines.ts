/**
 * Which real engines a test run has. A real-engine suite runs when its variable is set (and then
 * fails if the server does not answer). Without the variable it skips — unless
 * ALMANAC_REQUIRE_ENGINES (comma-separated: kafka,redis,neo4j,milvus; CI sets it) names the engine,
 * in which case the missing variable is a failing test, so CI can never pass by skipping.
 */
import { describe, it } from 'vitest';

export type Engine = 'kafka' | 'redis' | 'neo4j' | 'milvus' | 'qdrant';

export const ENGINE_VARIABLE: Record<Engine, string> = {
  kafka: 'KAFKA_BROKERS',
  redis: 'REDIS_URL',
  neo4j: 'NEO4J_URI',
  milvus: 'MILVUS_ADDRESS',
  qdrant: 'QDRANT_URL',
};

const START_HINT = 'eval "$(deploy/local/start-engines)"';

export function requiredEngines(): Set<string> {
  return new Set((process.env.ALMANAC_REQUIRE_ENGINES ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}

/** The engine's connection string, or undefined when the run has none. */
export function engineUrl(engine: Engine): string | undefined {
  return process.env[ENGINE_VARIABLE[engine]] || undefined;
}

/** Registers what a suite does without its engine: a skip, or a failure when the run requires it. */
export function withoutEngine(suite: string, engine: Engine, hint = START_HINT): void {
  const variable = ENGINE_VARIABLE[engine];
  describe(suite, () => {
    if (requiredEngines().has(engine)) {
      it(`needs ${variable} (ALMANAC_REQUIRE_ENGINES names ${engine})`, () => {
        throw new Error(`${variable} is not set but ALMANAC_REQUIRE_ENGINES requires ${engine}: start it with ${hint}`);
      });
    } else {
      it.skip(`skipped: set ${variable} (${hint})`, () => {});
    }
  });
}
