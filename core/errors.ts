/**
 * One error base class and one catalogue for the whole product.
 *
 * Every error carries a stable `code` (`ALMANAC_ERR_<AREA>_<PROBLEM>`), an HTTP status, a
 * `retriable` flag (the retry helper decides from it), structured `details` and an optional
 * `cause`. Messages include the offending value and, where there is one, the fix.
 */

export interface ErrorSpec {
  readonly status: number;
  readonly retriable: boolean;
  /** What the code means, for the docs (test/core/errors.test.ts checks every code has one). */
  readonly description: string;
}

export const ERROR_CATALOGUE = {
  ALMANAC_ERR_CONFIG_INVALID: { status: 500, retriable: false, description: 'Configuration failed validation; the message names the field, the value and the fix.' },
  ALMANAC_ERR_CONFIG_UNKNOWN_ADAPTER: { status: 500, retriable: false, description: 'An adapter key is not one of the valid keys for its port.' },
  ALMANAC_ERR_CONFIG_MISSING_URL: { status: 500, retriable: false, description: 'A real-engine adapter was chosen without its connection variable.' },
  ALMANAC_ERR_INPUT_INVALID: { status: 400, retriable: false, description: 'A request body, file line or CLI argument failed validation; details list field paths and reasons.' },
  ALMANAC_ERR_INPUT_NOT_FOUND: { status: 404, retriable: false, description: 'A referenced client, campaign, model or run does not exist.' },
  ALMANAC_ERR_INPUT_CONFLICT: { status: 409, retriable: false, description: 'The request conflicts with current state (e.g. promoting a version that is already champion).' },
  ALMANAC_ERR_AUTH_MISSING: { status: 401, retriable: false, description: 'The request has no API key; send `Authorization: Bearer alm_…` (create one with `almanac keys create`).' },
  ALMANAC_ERR_AUTH_INVALID: { status: 401, retriable: false, description: 'The API key is malformed, unknown, revoked or expired (one message for all, so keys cannot be probed).' },
  ALMANAC_ERR_AUTH_FORBIDDEN: { status: 403, retriable: false, description: 'The key is valid but may not do this: it lacks the scope, or the request names another client than the key’s.' },
  ALMANAC_ERR_RATE_LIMITED: { status: 429, retriable: true, description: 'The key (or address) sent more requests than its limit allows in the window; retry after the `Retry-After` seconds.' },
  ALMANAC_ERR_UNSUPPORTED: { status: 501, retriable: false, description: 'An adapter does not support an optional capability of its port.' },
  ALMANAC_ERR_LOG_CORRUPT: { status: 503, retriable: false, description: 'An event-log segment (or topic file) is corrupt beyond a torn tail record; the message names the file relative to the home and the fix. Writes and the jobs stop until it is repaired; predict and search go on.' },
  ALMANAC_ERR_LOG_OFFSET_OUT_OF_RANGE: { status: 400, retriable: false, description: 'A read or seek asked for an offset outside the partition (e.g. removed by retention).' },
  ALMANAC_ERR_LOG_UNKNOWN_TOPIC: { status: 404, retriable: false, description: 'The topic does not exist.' },
  ALMANAC_ERR_STORE_UNAVAILABLE: { status: 503, retriable: true, description: 'A store or engine did not answer (connection refused, timeout, circuit open).' },
  ALMANAC_ERR_DEPENDENCY_TIMEOUT: { status: 504, retriable: true, description: 'A dependency call exceeded its timeout.' },
  ALMANAC_ERR_CIRCUIT_OPEN: { status: 503, retriable: true, description: 'The circuit breaker for a dependency is open; calls fail fast until it half-opens.' },
  ALMANAC_ERR_MODEL_NOT_READY: { status: 503, retriable: true, description: 'No champion model is registered yet; train one with `almanac train`.' },
  ALMANAC_ERR_MODEL_INVALID: { status: 400, retriable: false, description: 'A model artifact or signature is invalid or does not match its inputs.' },
  ALMANAC_ERR_MODEL_GATE_FAILED: { status: 409, retriable: false, description: 'The promotion gate rejected the challenger: its holdout ROC-AUC is below the floor, its gate metric is worse than the champion’s minus the tolerance, or its metrics are unknown (NaN); details carry the decision and its reasons.' },
  ALMANAC_ERR_REGISTRY_CORRUPT: { status: 503, retriable: false, description: 'A model-registry file (e.g. `registry/aliases.json`) is not valid; the message names the file relative to the home and the fix. Nothing is overwritten until it is repaired.' },
  ALMANAC_ERR_TRAINING_FAILED: { status: 500, retriable: false, description: 'Training could not produce a model (e.g. no labelled rows, a single class).' },
  ALMANAC_ERR_INDEX_NOT_READY: { status: 503, retriable: true, description: 'No pattern index has been built yet; run `almanac index`.' },
  ALMANAC_ERR_DAG_TASK_FAILED: { status: 500, retriable: true, description: 'A DAG task failed after its retries.' },
  ALMANAC_ERR_DAG_UNKNOWN: { status: 404, retriable: false, description: 'No DAG or run with that id.' },
  ALMANAC_ERR_INTERNAL: { status: 500, retriable: false, description: 'An unexpected internal error; the cause is attached.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Errors about a request's own input or key (no stack trace is taken for them). */
const REQUEST_ERRORS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['ALMANAC_ERR_INPUT_INVALID', 'ALMANAC_ERR_AUTH_MISSING', 'ALMANAC_ERR_AUTH_INVALID', 'ALMANAC_ERR_AUTH_FORBIDDEN', 'ALMANAC_ERR_RATE_LIMITED']);

export interface AlmanacErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
  /** Overrides the catalogue's retriable flag (e.g. a redis error that is known to be transient). */
  retriable?: boolean;
}

export class AlmanacError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retriable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AlmanacErrorOptions = {}) {
    const spec: ErrorSpec = ERROR_CATALOGUE[code];
    // An error about the request itself takes no stack: its message and details say what was wrong
    // with the input or the key, its frames say nothing more, and capturing them is most of what it
    // costs (a hostile batch makes thousands a second). Every other error keeps its stack.
    const frames = Error.stackTraceLimit;
    if (REQUEST_ERRORS.has(code)) Error.stackTraceLimit = 0;
    try {
      super(message, options.cause === undefined ? undefined : { cause: options.cause });
    } finally {
      Error.stackTraceLimit = frames;
    }
    this.name = 'AlmanacError';
    this.code = code;
    this.status = spec.status;
    this.retriable = options.retriable ?? spec.retriable;
    this.details = options.details ?? {};
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** One field-level validation problem: `path` is dotted (`touches.3.audience.age`). */
export interface FieldIssue {
  path: string;
  reason: string;
}

export function invalidInput(message: string, issues: FieldIssue[] = [], details: Record<string, unknown> = {}): AlmanacError {
  return new AlmanacError('ALMANAC_ERR_INPUT_INVALID', message, { details: { ...details, issues } });
}

export function notFound(what: string, id: string): AlmanacError {
  return new AlmanacError('ALMANAC_ERR_INPUT_NOT_FOUND', `${what} '${id}' not found`, { details: { what, id } });
}

export function unsupported(adapter: string, capability: string): AlmanacError {
  return new AlmanacError('ALMANAC_ERR_UNSUPPORTED', `store ${adapter} does not support ${capability}`, {
    details: { adapter, capability },
  });
}

export function isAlmanacError(e: unknown): e is AlmanacError {
  return e instanceof AlmanacError;
}

/** Wraps anything thrown into an AlmanacError, keeping AlmanacErrors as they are. */
export function asAlmanacError(e: unknown): AlmanacError {
  if (isAlmanacError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new AlmanacError('ALMANAC_ERR_INTERNAL', message, { cause: e });
}
