/**
 * One error handler: AlmanacErrors answer with their catalogue status and `{code, message,
 * details}` (JSON bodies are parsed by json-body.ts, which throws AlmanacErrors); fastify's own 4xx
 * (body too large, wrong content type) become
 * ALMANAC_ERR_INPUT_INVALID with fastify's status (400/413/415; any
 * non-JSON content type, text/plain included, is 415); anything else is a 500 with the
 * cause logged, never leaked. The process never crashes on input.
 *
 * Server file paths never reach a client: absolute paths in messages and details are replaced by
 * '<path>' (paths relative to the home, e.g. registry/aliases.json, stay). A 401 carries
 * `WWW-Authenticate: Bearer`.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAlmanacError } from '../core/errors.ts';

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (isAlmanacError(error)) {
      if (error.status >= 500) request.log.error({ code: error.code, err: error.message }, 'request failed');
      if (error.status === 401) reply.header('www-authenticate', 'Bearer realm="almanac"');
      return reply.status(error.status).send(clientBody(error.code, error.message, error.details));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const reason = clientReason(error);
      return reply.status(status).send({ code: 'ALMANAC_ERR_INPUT_INVALID', message: reason, details: { issues: [{ path: '(body)', reason }], fastify_code: error.code } });
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply.status(500).send({ code: 'ALMANAC_ERR_INTERNAL', message: 'internal error; see the server log for request ' + request.id, details: {} });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ code: 'ALMANAC_ERR_INPUT_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}`, details: { what: 'route' } });
  });
}

/** Absolute POSIX or Windows paths (two segments or more), e.g. /home/app/.almanac/registry/aliases.json. */
const ABSOLUTE_PATH = /(?:\b[A-Za-z]:\\|(?<![\w:/.])\/)(?:[^\s'"`:,;()]+[\\/])+[^\s'"`:,;()]*/g;

export function redactPaths(text: string): string {
  // (most texts, e.g. a hundred validation reasons, hold no separator: no regular expression run)
  if (!text.includes('/') && !text.includes('\\')) return text;
  return text.replace(ABSOLUTE_PATH, '<path>');
}

function clientBody(code: string, message: string, details: Record<string, unknown>): Record<string, unknown> {
  return { code, message: redactPaths(message), details: redactStrings(details) as Record<string, unknown> };
}

/**
 * Every string in a JSON-like value with its paths redacted. (Redacting the JSON text instead could
 * cut an escape in two — a value such as `/$G\u001a` — and break the body: fuzzing found a 400 sent as `{}`.)
 */
function redactStrings(value: unknown): unknown {
  if (typeof value === 'string') return redactPaths(value);
  if (Array.isArray(value)) return value.map(redactStrings);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[redactPaths(k)] = redactStrings((v as { toJSON?: () => unknown })?.toJSON?.() ?? v);
    return out;
  }
  return typeof value === 'bigint' ? String(value) : value;
}

function clientReason(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return `request body is larger than this route accepts (${error.message}); send smaller batches`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return `unsupported content type; send JSON with 'content-type: application/json'`;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return 'the JSON body is empty';
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return `the body is not valid JSON: ${error.message}`;
    default: return error.message;
  }
}

/**
 * fastify's `frameworkErrors`: a URL fastify cannot decode (400) or a path parameter over its
 * length (414) answered in the catalogue shape, like every other error (was fastify's own body).
 */
export function frameworkErrorReply(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const reason = tooLong ? 'a path parameter is longer than this route accepts (100 characters)' : 'the URL is not valid (bad percent-encoding or characters)';
  void reply.status(tooLong ? 414 : 400).send({ code: 'ALMANAC_ERR_INPUT_INVALID', message: reason, details: { issues: [{ path: '(url)', reason }], fastify_code: error.code } });
}
