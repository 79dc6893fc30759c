import { describe, expect, it } from 'vitest';
import { loadConfig, RETRAIN_DEFAULTS } from '../../core/config.ts';

const fail = (env: Record<string, string>) => {
  try {
    loadConfig({ env });
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a config error');
};

describe('configuration', () => {
  it('defaults every port to its embedded adapter', () => {
    const c = loadConfig({ env: {} });
    expect([c.eventLog.adapter, c.onlineStore.adapter, c.cache.adapter, c.vector.adapter, c.graph.adapter]).toEqual(
      Array(5).fill('embedded'),
    );
    expect(c.patterns.minClients).toBe(3);
  });

  it('rejects an unknown adapter key and lists the valid ones', () => {
    const e = fail({ ALMANAC_VECTOR: 'faiss' });
    expect(e.code).toBe('ALMANAC_ERR_CONFIG_UNKNOWN_ADAPTER');
    expect(e.message).toContain('embedded, milvus, qdrant');
  });

  it.each([
    ['ALMANAC_EVENT_LOG', 'kafka', 'KAFKA_BROKERS'],
    ['ALMANAC_ONLINE_STORE', 'redis', 'REDIS_URL'],
    ['ALMANAC_CACHE', 'redis', 'REDIS_URL'],
    ['ALMANAC_VECTOR', 'milvus', 'MILVUS_ADDRESS'],
    ['ALMANAC_VECTOR', 'qdrant', 'QDRANT_URL'],
    ['ALMANAC_GRAPH', 'neo4j', 'NEO4J_URI'],
  ])('%s=%s without its URL names the fix (%s)', (key, value, fix) => {
    const e = fail({ [key]: value });
    expect(e.code).toBe('ALMANAC_ERR_CONFIG_MISSING_URL');
    expect(e.message).toContain(fix);
  });

  it('picks real adapters from the environment with their URLs', () => {
    const c = loadConfig({ env: { ALMANAC_ONLINE_STORE: 'redis', REDIS_URL: 'redis://h:1', KAFKA_BROKERS: 'a:1, b:2', ALMANAC_EVENT_LOG: 'kafka' } });
    expect(c.onlineStore.redis.url).toBe('redis://h:1');
    expect(c.eventLog.kafka.brokers).toEqual(['a:1', 'b:2']);
  });

  it('rejects unknown keys in a config file with the field path', () => {
    expect(() => loadConfig({ env: {}, overrides: { serving: { prot: 1 } } as never })).toThrow(/serving\.prot/);
  });

  it('reads the retrain DAG settings from the environment and validates them', () => {
    expect(loadConfig({ env: {} }).retrain).toEqual({ schedule: '0 3 * * *', minRocAuc: 0.55, gateMetric: 'roc_auc', gateTolerance: 0.01 });
    const c = loadConfig({ env: { ALMANAC_RETRAIN_SCHEDULE: '*/15 * * * *', ALMANAC_RETRAIN_MIN_AUC: '0.7' } });
    expect(c.retrain).toMatchObject({ schedule: '*/15 * * * *', minRocAuc: 0.7 });
    expect(fail({ ALMANAC_RETRAIN_MIN_AUC: 'high' })).toMatchObject({ code: 'ALMANAC_ERR_CONFIG_INVALID', message: expect.stringContaining("ALMANAC_RETRAIN_MIN_AUC='high' is not a number") });
    expect(fail({ ALMANAC_RETRAIN_MIN_AUC: '1.5' })).toMatchObject({ code: 'ALMANAC_ERR_CONFIG_INVALID', message: expect.stringContaining('retrain.minRocAuc') });
    expect(RETRAIN_DEFAULTS).toEqual(loadConfig({ env: {} }).retrain);
    expect(() => loadConfig({ env: {}, overrides: { retrain: { gateMetric: 'accuracy' } } as never })).toThrow(/retrain\.gateMetric/);
  });
});
