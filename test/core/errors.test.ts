import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AlmanacError, ERROR_CATALOGUE, asAlmanacError } from '../../core/errors.ts';

describe('error catalogue', () => {
  it('documents every code in the README error table', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ERROR_CATALOGUE)) expect(readme, code).toContain(code);
  });

  it('carries code, status, retriable flag and details', () => {
    const e = new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', 'redis down', { details: { host: 'x' } });
    expect(e).toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE', status: 503, retriable: true, details: { host: 'x' } });
    expect(new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', 'x', { retriable: false }).retriable).toBe(false);
  });

  it('wraps foreign errors as internal, keeping the cause', () => {
    const cause = new TypeError('boom');
    const e = asAlmanacError(cause);
    expect(e.code).toBe('ALMANAC_ERR_INTERNAL');
    expect(e.cause).toBe(cause);
  });
});
