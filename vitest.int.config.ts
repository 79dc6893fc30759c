import { defineConfig } from 'vitest/config';

// Integration suites against real engines; each suite skips itself unless its URL variable is set
// (KAFKA_BROKERS, REDIS_URL, MILVUS_ADDRESS, QDRANT_URL, NEO4J_URI). See README "Running on real engines".
export default defineConfig({
  test: {
    include: ['**/*.int.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    globalSetup: ['test/temp-root.global.ts'],
  },
});
