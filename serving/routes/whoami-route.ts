/** GET /v1/whoami: who the key is (the console shows it and picks its pages from it). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authMissing } from '../authentication.ts';
import { authResponses } from '../schemas/auth-responses.ts';
import { docSchema } from '../schemas/json-schema.ts';

export const whoamiResponseSchema = z.object({
  kind: z.enum(['admin', 'tenant']),
  tenant: z.string().nullable(),
  key_id: z.string(),
  scopes: z.array(z.string()),
});

export function registerWhoamiRoute(app: FastifyInstance): void {
  app.get('/v1/whoami', {
    // any valid key (no scope needed); without one it is 401 like every other route
    config: { auth: 'optional' },
    schema: {
      summary: 'The API key\'s identity: admin or tenant, its client, key id and scopes (never the secret)',
      tags: ['console'], security: [{ bearer: [] }],
      response: { 200: docSchema(whoamiResponseSchema, 'output'), ...authResponses() },
    },
  }, async (request) => {
    const p = request.principal;
    if (p === undefined) throw authMissing();
    const admin = p.scopes.has('admin');
    return { kind: admin ? 'admin' : 'tenant', tenant: p.clientId, key_id: p.keyId, scopes: [...p.scopes].sort() } satisfies z.output<typeof whoamiResponseSchema>;
  });
}
