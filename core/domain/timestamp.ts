import { z } from 'zod';

/** Epoch milliseconds. Accepts an ISO-8601 string with a zone or an integer of epoch ms; outputs epoch ms. */
export const timestampSchema = z.union([
  z.number().int().min(0, 'must be epoch milliseconds ≥ 0').max(8.64e15),
  z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time with a zone (2024-05-01T10:00:00Z) or epoch ms' }).transform((s) => Date.parse(s)),
]);

export const stableId = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  .regex(/^[^\s]+$/, 'must not contain whitespace');

/** Free attributes: flat map of scalar values (creative, offer, age band, …). */
export const attributesSchema = z.record(
  z.string().min(1).max(64).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'attribute names are identifiers ([A-Za-z_][A-Za-z0-9_]*)'),
  z.union([z.string().max(256), z.number().refine(Number.isFinite, 'must be finite'), z.boolean(), z.null()]),
);

export type Attributes = z.output<typeof attributesSchema>;
