/** The OpenAPI responses every authenticated route has: 401, 403, 429 (and 404 where a resource is named). */
import { docSchema } from './json-schema.ts';
import { errorSchema } from './plan-schema.ts';

export function authResponses(): Record<number, Record<string, unknown>> {
  const error = docSchema(errorSchema);
  return {
    401: { ...error, description: 'No API key (ALMANAC_ERR_AUTH_MISSING), or a malformed, unknown, revoked or expired one (ALMANAC_ERR_AUTH_INVALID)' },
    403: { ...error, description: 'The key lacks the scope, or the body names another client than the key\'s (ALMANAC_ERR_AUTH_FORBIDDEN)' },
    429: { ...error, description: 'Too many requests for this key (ALMANAC_ERR_RATE_LIMITED); see the Retry-After header (seconds)' },
  };
}

/** The 404 of a route that names a resource: unknown and another tenant's look the same. */
export function notFoundResponse(): Record<number, Record<string, unknown>> {
  return { 404: { ...docSchema(errorSchema), description: 'Not found — or not yours: the same answer, so resources cannot be probed (ALMANAC_ERR_INPUT_NOT_FOUND)' } };
}
