/**
 * The audit stream: one JSON line (pino) per write, per admin action and per refused request,
 * with the key id, tenant, route, method, status and outcome — never the secret or the
 * Authorization header. A separate logger from the request log, written to
 * `<home>/audit/audit.log` by `almanac serve` (tests inject their own).
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { homePath, type AlmanacConfig } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';

export function createAuditLogger(config: AlmanacConfig): Logger {
  return pino({ name: 'almanac-audit', level: 'info' }, pino.destination({ dest: homePath(config, 'audit', 'audit.log'), mkdir: true, sync: false }));
}

/** Extra audit fields a handler may attach (e.g. events accepted and rejected). */
declare module 'fastify' {
  interface FastifyRequest {
    auditDetail: Record<string, unknown> | undefined;
  }
}

export function installAuditLog(app: FastifyInstance, audit: Logger): void {
  app.decorateRequest('auditDetail', undefined);
  app.addHook('onResponse', (request, reply, done) => {
    const need = request.routeOptions.config?.auth;
    const status = reply.statusCode;
    // writes (events) and admin actions; predict and search are reads and are not audited unless refused
    if (need === 'events:write' || need === 'admin' || status === 401 || status === 403 || status === 429) {
      const p = request.principal;
      audit.info({
        key_id: p?.keyId ?? null, tenant: p?.clientId ?? null, route: request.routeOptions.url ?? 'unmatched', method: request.method, status,
        outcome: status < 400 ? 'ok' : status === 401 || status === 403 ? 'refused' : status === 429 ? 'limited' : 'failed',
        request_id: request.id, ip: request.ip, ...(request.auditDetail ?? {}),
      }, 'audit');
    }
    done();
  });
}
