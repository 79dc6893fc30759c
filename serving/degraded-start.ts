/**
 * Degraded start instead of no start: a store the server cannot open (a corrupt graph.db or
 * graph.json, a damaged event-log segment, an unreadable online snapshot) does not stop
 * `almanac serve`. Its place is taken by a stand-in whose every call fails with the cause (the
 * file relative to the home and the fix), so each route takes its documented fallback: search
 * without the graph ranks `vector_only`, without the vector index `popular_patterns`; a blocked
 * event log answers POST /v1/events 503 naming the segment while predict and search go on. The
 * health probes report the stand-in as down (a warn line at start; `/health/ready` shows it).
 * A repaired store is picked up by a restart.
 */
import { AlmanacError, isAlmanacError } from '../core/errors.ts';
import { homeRelative } from './home-relative.ts';

/** The stand-in's refusal: the cause's code and message (home-relative), and that a restart picks up the fix. */
function refusal(home: string, role: string, cause: unknown): AlmanacError {
  const message = homeRelative(home, (cause as Error).message ?? String(cause));
  const code = isAlmanacError(cause) && cause.code !== 'ALMANAC_ERR_INTERNAL' ? cause.code : 'ALMANAC_ERR_STORE_UNAVAILABLE';
  const details = isAlmanacError(cause) ? JSON.parse(homeRelative(home, JSON.stringify(cause.details))) as Record<string, unknown> : {};
  return new AlmanacError(code, `${role} could not be opened at start: ${message} (then restart the server)`, { cause, retriable: false, details: { ...details, dependency: role } });
}

/**
 * A port whose every method rejects with `error` (`close` resolves; `kind` and `capabilities`
 * stay readable), in place of an adapter whose `init()` failed.
 */
export function unavailablePort<T extends object>(kind: string, error: AlmanacError): T {
  return new Proxy({} as T, {
    get(_target, prop) {
      if (prop === 'kind') return `${kind} (unavailable)`;
      if (prop === 'capabilities') return new Set();
      if (prop === 'then') return undefined; // not a thenable
      if (prop === 'close' || prop === 'init') return async () => {};
      return () => Promise.reject(error);
    },
  });
}

/**
 * Initialises `port`; when that fails, logs nothing itself (the health round at start warns) and
 * returns a stand-in failing with the cause.
 * @param after - more start-up work on the opened port (e.g. creating the events topic)
 */
export async function openOrStandIn<T extends { kind: string; init(): Promise<void>; close(): Promise<void> }>(
  home: string, role: string, port: T, after?: (port: T) => Promise<void>,
): Promise<{ port: T; error?: AlmanacError }> {
  try {
    await port.init();
    await after?.(port);
    return { port };
  } catch (e) {
    await port.close().catch(() => undefined);
    const error = refusal(home, role, e);
    return { port: unavailablePort<T>(port.kind, error), error };
  }
}
