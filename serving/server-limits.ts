/**
 * Limits of the HTTP server against slow or hostile clients (`config.serving.limits`): a request
 * whose headers, or whole body, do not arrive in time is answered 408 and closed (Node checks every
 * second); idle keep-alive connections close after `keepAliveTimeoutMs`; at most `maxConnections`
 * are open at once (beyond, a new connection is closed at once), so slow clients cannot use up the
 * process's file descriptors, and the timeouts free their slots within a bounded time.
 * Applied to the fastify server before it listens (serving/cli.ts `startServer`).
 */
import type { Server } from 'node:http';
import type { AlmanacConfig } from '../core/config.ts';

export type ServerLimits = AlmanacConfig['serving']['limits'];

/** How often (ms) Node looks for requests past their headers/request timeout (its default is 30 s). */
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/** Sets the limits on `server`; call before `listen` (the timeout checks start when it listens). */
export function applyServerLimits(server: Server, limits: ServerLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  // Node reads this when the server starts listening; a smaller interval bounds the time past the timeout.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(TIMEOUT_CHECK_INTERVAL_MS, limits.headersTimeoutMs);
}
