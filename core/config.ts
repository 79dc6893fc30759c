/**
 * The one validated configuration: a JSON file (optional) overlaid by environment variables.
 * Each port's adapter is picked by a string key; a missing key means the embedded default.
 * Validated once at the edge: a failure names the field, the value and the fix.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AlmanacError } from './errors.ts';
import { DEFAULT_EVENT_TIME_BOUNDS } from './domain/event-time-bounds.ts';
import { timestampSchema } from './domain/timestamp.ts';
import { fieldIssues } from './validation.ts';

export const ADAPTER_KEYS = {
  eventLog: ['embedded', 'kafka'],
  onlineStore: ['embedded', 'redis'],
  cache: ['embedded', 'redis'],
  vector: ['embedded', 'milvus', 'qdrant'],
  graph: ['embedded', 'neo4j'],
  tenants: ['embedded', 'redis'],
} as const;

const adapterKey = <K extends keyof typeof ADAPTER_KEYS>(port: K, envVar: string) =>
  z.enum(ADAPTER_KEYS[port], {
    error: (issue) =>
      `unknown adapter '${String(issue.input)}' for ${port}; valid keys: ${ADAPTER_KEYS[port].join(', ')} (set ${envVar})`,
  });

const durationMs = z.number().int().positive();

/**
 * The retrain DAG and the promotion gate (models/registry/promotion-gate.ts). These are the only
 * gate defaults: `train`, `models promote`, the demo and the DAG all read them from here.
 */
const retrainSchema = z
  .object({
    /** Cron expression of the retrain DAG (validated when the DAGs are loaded); 'off' = manual runs only. */
    schedule: z.string().min(1).default('0 3 * * *'),
    /** Absolute floor on the challenger's holdout ROC-AUC, with or without a champion. */
    minRocAuc: z.number().min(0).max(1).default(0.55),
    /** Metric the challenger is compared on against the champion (log_loss: lower is better). */
    gateMetric: z.enum(['roc_auc', 'pr_auc', 'log_loss']).default('roc_auc'),
    /** The challenger may be at most this much worse than the champion on gateMetric. */
    gateTolerance: z.number().min(0).max(1).default(0.01),
  })
  .strict()
  .prefault({});

/** `retrain` with every default filled in (what an empty config gives). */
export const RETRAIN_DEFAULTS: Readonly<z.output<typeof retrainSchema>> = Object.freeze(retrainSchema.parse({}));

export const configSchema = z
  .object({
    /** Root folder of every embedded store (event log, feature store, registry, index, graph, runs). */
    home: z.string().min(1).default('.almanac'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    eventLog: z
      .object({
        adapter: adapterKey('eventLog', 'ALMANAC_EVENT_LOG').default('embedded'),
        partitions: z.number().int().min(1).max(1024).default(4),
        /** Embedded log and Parquet offline store: fsync before a write is acknowledged ('always') or rely on the OS ('none', tests and benches). */
        fsync: z.enum(['always', 'none']).default('always'),
        segmentBytes: z.number().int().min(4096).default(64 * 1024 * 1024),
        retentionMs: durationMs.optional(),
        kafka: z
          .object({
            brokers: z.array(z.string().min(1)).default([]),
            clientId: z.string().default('almanac'),
            ssl: z.boolean().default(false),
            sasl: z
              .object({ mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']), username: z.string(), password: z.string() })
              .strict()
              .optional(),
          })
          .strict()
      .prefault({}),
      })
      .strict()
      .prefault({}),
    onlineStore: z
      .object({
        adapter: adapterKey('onlineStore', 'ALMANAC_ONLINE_STORE').default('embedded'),
        redis: z.object({ url: z.string().optional(), cluster: z.boolean().default(false), keyPrefix: z.string().default('almanac:') }).strict()
      .prefault({}),
      })
      .strict()
      .prefault({}),
    cache: z
      .object({
        adapter: adapterKey('cache', 'ALMANAC_CACHE').default('embedded'),
        maxEntries: z.number().int().min(1).default(10_000),
        /** Embedded cache: bound on the cached results' size in bytes (keys at 2 bytes a character, values at their UTF-8 bytes); a window of 1/16 takes new answers, the rest keeps the ones asked again; least recently used first in each. */
        maxBytes: z.number().int().min(64 * 1024, 'must be at least 65536 (64 KiB)').default(64 * 1024 * 1024),
        ttlMs: durationMs.default(60_000),
        redis: z.object({ url: z.string().optional(), cluster: z.boolean().default(false), keyPrefix: z.string().default('almanac:cache:') }).strict()
      .prefault({}),
      })
      .strict()
      .prefault({}),
    vector: z
      .object({
        adapter: adapterKey('vector', 'ALMANAC_VECTOR').default('embedded'),
        milvus: z
          .object({
            address: z.string().optional(),
            token: z.string().optional(),
            consistency: z.enum(['Strong', 'Session', 'Bounded', 'Eventually']).default('Bounded'),
          })
          .strict()
      .prefault({}),
        qdrant: z.object({ url: z.string().optional(), apiKey: z.string().optional() }).strict()
      .prefault({}),
        /** HNSW build parameters of the embedded index's new graphs (a saved graph keeps its own). */
        embedded: z
          .object({
            /** Graph degree (hnswlib M; default 16). More links cost memory (~8 bytes per link per vector) and build time, and help recall on clustered data. */
            m: z.number().int().min(2).max(128).optional(),
            /** Build-time search breadth (default 100). */
            efConstruction: z.number().int().min(8).max(4096).optional(),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    graph: z
      .object({
        adapter: adapterKey('graph', 'ALMANAC_GRAPH').default('embedded'),
        neo4j: z
          .object({ uri: z.string().optional(), user: z.string().default('neo4j'), password: z.string().default('almanac-dev'), database: z.string().optional() })
          .strict()
      .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Tenants, API keys and campaign ownership (core/tenants/): embedded file in the home, or Redis shared by replicas. */
    tenants: z
      .object({
        adapter: adapterKey('tenants', 'ALMANAC_TENANTS').default('embedded'),
        redis: z.object({ url: z.string().optional(), cluster: z.boolean().default(false), keyPrefix: z.string().default('almanac:tenants:') }).strict()
      .prefault({}),
      })
      .strict()
      .prefault({}),
    serving: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** GET /metrics on a separate listener at this host:port (e.g. '127.0.0.1:9464'); unset = on the API port, admin key required. */
        metricsAddress: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port').optional(),
        /** Requests per key (or per address without a key) per minute; 429 with Retry-After beyond. */
        rateLimit: z.object({ max: z.number().int().min(1).default(6_000), windowMs: durationMs.default(60_000) }).strict().prefault({}),
        /** Per-dependency timeouts (ms) before the fallback serves. */
        timeouts: z
          .object({ onlineStore: durationMs.default(50), vector: durationMs.default(100), graph: durationMs.default(100), cache: durationMs.default(20) })
          .strict()
      .prefault({}),
        /** How often (ms) the server looks for a newly promoted model or index. */
        reloadIntervalMs: durationMs.default(2_000),
        /**
         * How often (ms) the server checks every dependency for real in the background (a known
         * online-store key, the registry alias, a vector search, a graph query, the append lock):
         * a dependency that breaks is logged and shown by `almanac_dependency_up` within this long.
         */
        healthCheckIntervalMs: durationMs.default(5_000),
        /** Limits against slow or hostile clients (serving/server-limits.ts). */
        limits: z
          .object({
            /** A request whose headers have not all arrived after this long (ms) is answered 408 and closed. */
            headersTimeoutMs: durationMs.default(10_000),
            /** A request (headers and body) not fully received after this long (ms) is answered 408 and closed. */
            requestTimeoutMs: durationMs.default(30_000),
            /**
             * An idle keep-alive connection is closed after this long (ms): above a load balancer's usual
             * 60 s idle timeout (so it never reuses a connection being closed), like fastify's 72 s default.
             */
            keepAliveTimeoutMs: durationMs.default(65_000),
            /** Open connections at most; beyond, new connections are closed at once (keep it well under `ulimit -n`). */
            maxConnections: z.number().int().min(1).default(4_096),
            /** POST /v1/events stops validating a batch at this many reasons and answers 400 with them. */
            maxRejectReasons: z.number().int().min(1).max(10_000).default(100),
          })
          .strict()
          .refine((l) => l.headersTimeoutMs <= l.requestTimeoutMs, { path: ['headersTimeoutMs'], message: 'must not exceed requestTimeoutMs' })
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** The accepted window of event times (core/domain/event-time-bounds.ts), checked by ingest and POST /v1/events. */
    events: z
      .object({
        /** How far (ms) an event's `ts` may be ahead of the clock. */
        maxFutureSkewMs: z.number().int().min(0).default(DEFAULT_EVENT_TIME_BOUNDS.maxFutureSkewMs),
        /** Earliest accepted event time: ISO-8601 with a zone or epoch ms; epoch ms after parsing. */
        minTimestamp: timestampSchema.default(DEFAULT_EVENT_TIME_BOUNDS.minTimestamp),
      })
      .strict()
      .prefault({}),
    patterns: z
      .object({
        /** A cross-client pattern is shown only when at least this many distinct clients back it, with any one of them left out. */
        minClients: z.number().int().min(1).default(3),
        /** Conditions per pattern (subgroup discovery searches every combination of 1..maxConditions). */
        maxConditions: z.number().int().min(1).max(4).default(4),
        /** A combination is tested only with at least this many touches over all clients. */
        minTouches: z.number().int().min(1).default(50),
        /** A client backs a comparison (and counts toward k) only with this many touches in the pattern and outside it… */
        minClientTouches: z.number().int().min(1).default(20),
        /** …and this many conversions of its own on the two sides together. */
        minClientConversions: z.number().int().min(0).default(1),
        /** Benjamini–Hochberg false-discovery rate over the combinations tested. */
        fdr: z.number().gt(0).lt(1).default(0.05),
      })
      .strict()
      .prefault({}),
    training: z
      .object({
        /**
         * A training set with more rows than this is held in memory as a touch-id-hash sample of
         * them (training runs on it; the pattern miner streams every row from disk); the whole
         * set is always written.
         */
        holdRows: z.number().int().min(1).default(2_000_000),
      })
      .strict()
      .prefault({}),
    retrain: retrainSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    const need = (cond: boolean, pathParts: (string | number)[], msg: string) => {
      if (cond) ctx.addIssue({ code: 'custom', path: pathParts, message: msg });
    };
    need(c.eventLog.adapter === 'kafka' && c.eventLog.kafka.brokers.length === 0, ['eventLog', 'kafka', 'brokers'],
      'ALMANAC_EVENT_LOG=kafka needs brokers: set KAFKA_BROKERS=host:9092[,host2:9092]');
    need(c.onlineStore.adapter === 'redis' && !c.onlineStore.redis.url, ['onlineStore', 'redis', 'url'],
      'ALMANAC_ONLINE_STORE=redis needs a URL: set REDIS_URL=redis://host:6379');
    need(c.cache.adapter === 'redis' && !c.cache.redis.url, ['cache', 'redis', 'url'],
      'ALMANAC_CACHE=redis needs a URL: set REDIS_URL=redis://host:6379');
    need(c.vector.adapter === 'milvus' && !c.vector.milvus.address, ['vector', 'milvus', 'address'],
      'ALMANAC_VECTOR=milvus needs an address: set MILVUS_ADDRESS=host:19530');
    need(c.vector.adapter === 'qdrant' && !c.vector.qdrant.url, ['vector', 'qdrant', 'url'],
      'ALMANAC_VECTOR=qdrant needs a URL: set QDRANT_URL=http://host:6333');
    need(c.tenants.adapter === 'redis' && !c.tenants.redis.url, ['tenants', 'redis', 'url'],
      'ALMANAC_TENANTS=redis needs a URL: set REDIS_URL=redis://host:6379');
    need(c.graph.adapter === 'neo4j' && !c.graph.neo4j.uri, ['graph', 'neo4j', 'uri'],
      'ALMANAC_GRAPH=neo4j needs a URI: set NEO4J_URI=bolt://host:7687');
  });

export type AlmanacConfig = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

type Env = Record<string, string | undefined>;

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

const toInt = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) {
    throw new AlmanacError('ALMANAC_ERR_CONFIG_INVALID', `invalid config: ${name}='${v}' is not an integer`, { details: { name, value: v } });
  }
  return n;
};

const toNumber = (name: string, v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) {
    throw new AlmanacError('ALMANAC_ERR_CONFIG_INVALID', `invalid config: ${name}='${v}' is not a number`, { details: { name, value: v } });
  }
  return n;
};

/** Environment variable → config path (and parser). */
const ENV_MAP: [string, string[], (name: string, v: string) => unknown][] = [
  ['ALMANAC_HOME', ['home'], (_n, v) => v],
  ['ALMANAC_LOG_LEVEL', ['logLevel'], (_n, v) => v],
  ['ALMANAC_EVENT_LOG', ['eventLog', 'adapter'], (_n, v) => v],
  ['ALMANAC_PARTITIONS', ['eventLog', 'partitions'], toInt],
  ['ALMANAC_FSYNC', ['eventLog', 'fsync'], (_n, v) => v],
  ['KAFKA_BROKERS', ['eventLog', 'kafka', 'brokers'], (_n, v) => v.split(',').map((s) => s.trim()).filter(Boolean)],
  ['ALMANAC_ONLINE_STORE', ['onlineStore', 'adapter'], (_n, v) => v],
  ['ALMANAC_CACHE', ['cache', 'adapter'], (_n, v) => v],
  ['ALMANAC_CACHE_MAX_BYTES', ['cache', 'maxBytes'], toInt],
  ['ALMANAC_MAX_CONNECTIONS', ['serving', 'limits', 'maxConnections'], toInt],
  ['ALMANAC_VECTOR', ['vector', 'adapter'], (_n, v) => v],
  ['MILVUS_ADDRESS', ['vector', 'milvus', 'address'], (_n, v) => v],
  ['MILVUS_TOKEN', ['vector', 'milvus', 'token'], (_n, v) => v],
  ['QDRANT_URL', ['vector', 'qdrant', 'url'], (_n, v) => v],
  ['QDRANT_API_KEY', ['vector', 'qdrant', 'apiKey'], (_n, v) => v],
  ['ALMANAC_HNSW_M', ['vector', 'embedded', 'm'], toInt],
  ['ALMANAC_HNSW_EF_CONSTRUCTION', ['vector', 'embedded', 'efConstruction'], toInt],
  ['ALMANAC_GRAPH', ['graph', 'adapter'], (_n, v) => v],
  ['NEO4J_URI', ['graph', 'neo4j', 'uri'], (_n, v) => v],
  ['NEO4J_USER', ['graph', 'neo4j', 'user'], (_n, v) => v],
  ['NEO4J_PASSWORD', ['graph', 'neo4j', 'password'], (_n, v) => v],
  ['ALMANAC_TENANTS', ['tenants', 'adapter'], (_n, v) => v],
  ['ALMANAC_METRICS_ADDRESS', ['serving', 'metricsAddress'], (_n, v) => v],
  ['ALMANAC_RATE_LIMIT', ['serving', 'rateLimit', 'max'], toInt],
  ['ALMANAC_HOST', ['serving', 'host'], (_n, v) => v],
  ['ALMANAC_PORT', ['serving', 'port'], toInt],
  ['ALMANAC_MAX_FUTURE_SKEW', ['events', 'maxFutureSkewMs'], toInt],
  ['ALMANAC_MIN_CLIENTS', ['patterns', 'minClients'], toInt],
  ['ALMANAC_TRAINING_HOLD_ROWS', ['training', 'holdRows'], toInt],
  ['ALMANAC_RETRAIN_SCHEDULE', ['retrain', 'schedule'], (_n, v) => v],
  ['ALMANAC_RETRAIN_MIN_AUC', ['retrain', 'minRocAuc'], toNumber],
];

/**
 * Loads the configuration: `file` (or ALMANAC_CONFIG, or ./almanac.config.json when present), then the
 * environment on top, then `overrides` (used by tests and CLI flags).
 * @throws AlmanacError ALMANAC_ERR_CONFIG_INVALID / ALMANAC_ERR_CONFIG_UNKNOWN_ADAPTER / ALMANAC_ERR_CONFIG_MISSING_URL
 */
export function loadConfig(options: { file?: string; env?: Env; overrides?: ConfigInput } = {}): AlmanacConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.ALMANAC_CONFIG ?? (existsSync('almanac.config.json') ? 'almanac.config.json' : undefined);
  let raw: Record<string, unknown> = {};
  if (file !== undefined) {
    try {
      raw = JSON.parse(readFileSync(path.resolve(file), 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new AlmanacError('ALMANAC_ERR_CONFIG_INVALID', `invalid config: cannot read ${file}: ${(e as Error).message}`, { cause: e });
    }
  }
  const REDIS_URL = env.REDIS_URL;
  for (const [name, keys, parse] of ENV_MAP) {
    const v = env[name];
    if (v !== undefined && v !== '') setPath(raw, keys, parse(name, v));
  }
  if (REDIS_URL) {
    setPath(raw, ['onlineStore', 'redis', 'url'], REDIS_URL);
    setPath(raw, ['cache', 'redis', 'url'], REDIS_URL);
    setPath(raw, ['tenants', 'redis', 'url'], REDIS_URL);
  }
  const merged = deepMerge(raw, (options.overrides ?? {}) as Record<string, unknown>);
  return validateConfig(merged);
}

/** Validates a raw config object; see loadConfig. */
export function validateConfig(raw: unknown): AlmanacConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const issues = fieldIssues(result.error);
  const first = issues[0] ?? { path: '(root)', reason: 'invalid' };
  const code = first.reason.startsWith('unknown adapter')
    ? 'ALMANAC_ERR_CONFIG_UNKNOWN_ADAPTER'
    : first.reason.includes(' needs ')
      ? 'ALMANAC_ERR_CONFIG_MISSING_URL'
      : 'ALMANAC_ERR_CONFIG_INVALID';
  throw new AlmanacError(code, `invalid config: ${first.path}: ${first.reason}`, { details: { issues } });
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      typeof v === 'object' && v !== null && !Array.isArray(v) && typeof prev === 'object' && prev !== null && !Array.isArray(prev)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** Absolute path of a folder under the configured home. */
export function homePath(config: AlmanacConfig, ...parts: string[]): string {
  return path.resolve(config.home, ...parts);
}
