/** JSON schemas for the OpenAPI document, generated from the zod schemas (zod stays the validator). */
import { z } from 'zod';

export function docSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
