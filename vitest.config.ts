import { defineConfig } from 'vitest/config';

// `npm test`: every suite, the real-engine ones (*.int.test.ts) included. Each of those runs when its
// variable is set (KAFKA_BROKERS, REDIS_URL, MILVUS_ADDRESS, QDRANT_URL, NEO4J_URI) and fails, not
// skips, when the variable is set and its server does not answer. Without the variables they skip,
// unless ALMANAC_REQUIRE_ENGINES lists them (CI sets it: a missing engine there is a failure).
// `*.sequential.test.ts` (the pipeline on real engines, with its fault tests that stop and kill the
// engines) runs alone, after every other suite has finished.
// Every temp folder a suite makes goes under one per-run folder, removed at the end (test/temp-root.global.ts).
const common = { testTimeout: 120_000, hookTimeout: 120_000, pool: 'forks' as const, globalSetup: ['test/temp-root.global.ts'] };

export default defineConfig({
  test: {
    projects: [
      { test: { ...common, name: 'suite', include: ['**/*.test.ts'], exclude: ['**/node_modules/**', '**/*.sequential.test.ts'], maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { test: { ...common, name: 'real engines, alone', include: ['**/*.sequential.test.ts'], exclude: ['**/node_modules/**'], fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
