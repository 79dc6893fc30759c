import { defineConfig } from 'vitest/config';

// `npm test`: every suite, the real-engine ones (*.int.test.ts) included. Each of those runs when its
// variable is set (KAFKA_BROKERS, REDIS_URL, MILVUS_ADDRESS, QDRANT_URL, NEO4J_URI) and fails, not
// skips, when the variable is set and its server does not answer. Without the variables they skip,
// unless ALMANAC_REQUIRE_ENGINES lists them (CI sets it: a missing engine there is a failure).
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
