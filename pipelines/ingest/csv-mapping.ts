/**
 * The CSV mapping file (see MAPPING.md): how the rows of a CSV file become Almanac events.
 * Validated with zod; unknown keys are rejected so a typo never silently drops a field.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AlmanacError, invalidInput } from '../../core/errors.ts';
import { fieldIssues } from '../../core/validation.ts';
import { EVENT_TYPES } from '../../core/domain/event.ts';

const columnName = z.string().min(1);

const columnValue = z
  .object({
    column: columnName,
    type: z.enum(['string', 'number', 'boolean']).default('string'),
    /** Values read as true / false when type is boolean. */
    true: z.array(z.string()).default(['true', 'yes', '1']),
    false: z.array(z.string()).default(['false', 'no', '0']),
    /** An empty cell leaves the field out instead of rejecting the row. */
    optional: z.boolean().default(false),
  })
  .strict();

const timeValue = z
  .object({
    /** The row's event time, or the start / last millisecond of its calendar month (UTC). */
    time: z.enum(['event', 'month_start', 'month_end']),
    offsetMs: z.number().int().default(0),
  })
  .strict();

const constValue = z.object({ const: z.union([z.string(), z.number(), z.boolean(), z.null()]) }).strict();
const templateValue = z.object({ template: z.string() }).strict();

export type ColumnValue = z.output<typeof columnValue>;
export type TimeValue = z.output<typeof timeValue>;

/** A field value: a template string, a JSON scalar constant, or one of the object forms; `fields` nests. */
export type ValueSpec =
  | string
  | number
  | boolean
  | null
  | ColumnValue
  | TimeValue
  | { const: string | number | boolean | null }
  | { template: string }
  | { fields: Record<string, ValueSpec> };

const valueSpec: z.ZodType<ValueSpec> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    columnValue,
    timeValue,
    constValue,
    templateValue,
    z.object({ fields: z.record(z.string(), valueSpec) }).strict(),
  ]),
) as z.ZodType<ValueSpec>;

const eventTime = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('column'), column: columnName, format: z.enum(['iso', 'epoch_ms', 'epoch_s']) }).strict(),
  z
    .object({
      kind: z.literal('month_day_in_row_order'),
      month: columnName,
      /** Day of month (1-31); or, for files that carry only a weekday, `weekday` (below). */
      day: columnName.optional(),
      /** Day of week (mon…sun): a new day starts when it changes, on the next date with that weekday. */
      weekday: columnName.optional(),
      startYear: z.number().int().min(1970).max(9999),
      /** Rows of the same day get increasing times, this far apart (ms). */
      stepMs: z.number().int().min(1).default(1000),
    })
    .strict()
    .refine((t) => (t.day === undefined) !== (t.weekday === undefined), { message: 'give exactly one of "day" (day of month) and "weekday" (day of week)', path: ['day'] }),
]);

export type EventTimeSpec = z.output<typeof eventTime>;

const eventRule = z
  .object({
    type: z.enum(EVENT_TYPES),
    /** Emit only for rows where the condition holds. */
    when: z.object({ column: columnName, equals: z.string().optional(), in: z.array(z.string()).optional() }).strict().optional(),
    /** Emit at most once per event_id in one ingest run (e.g. a campaign shared by many rows). */
    once: z.boolean().default(false),
    fields: z.record(z.string(), valueSpec),
  })
  .strict();

export type EventRule = z.output<typeof eventRule>;

export const csvMappingSchema = z
  .object({
    $comment: z.string().optional(),
    csv: z
      .object({
        delimiter: z.string().length(1).default(','),
        quote: z.string().length(1).default('"'),
        /** The first record names the columns; otherwise `columns` must. */
        header: z.boolean().default(true),
        columns: z.array(columnName).optional(),
      })
      .strict()
      .prefault({}),
    time: eventTime,
    /** Columns that must never reach an event (e.g. values known only after the outcome). */
    drop: z.array(columnName).default([]),
    events: z.array(eventRule).min(1),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (!m.csv.header && !m.csv.columns) ctx.addIssue({ code: 'custom', path: ['csv', 'columns'], message: 'needed when header is false' });
    if (m.csv.delimiter === m.csv.quote) ctx.addIssue({ code: 'custom', path: ['csv', 'quote'], message: 'must differ from the delimiter' });
  });

export type CsvMapping = z.output<typeof csvMappingSchema>;

/**
 * Reads and validates a mapping file.
 * @throws AlmanacError ALMANAC_ERR_INPUT_INVALID naming the file, the field and the reason.
 */
export function loadMapping(file: string): CsvMapping {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `cannot read mapping ${file}: ${(e as Error).message}`, { details: { file } });
  }
  const result = csvMappingSchema.safeParse(raw);
  if (!result.success) {
    const issues = fieldIssues(result.error);
    const first = issues[0] ?? { path: '(root)', reason: 'invalid' };
    throw invalidInput(`invalid mapping ${file}: ${first.path}: ${first.reason}${issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}`, issues, { file });
  }
  return result.data;
}
