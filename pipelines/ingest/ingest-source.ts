/**
 * Sources of ingest units: each unit is the validated events of one input line (JSONL) or row
 * (CSV), or the reason that line was rejected. A row's events are validated together, so a row
 * is accepted whole or rejected whole.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { isAlmanacError, type FieldIssue } from '../../core/errors.ts';
import { DEFAULT_EVENT_TIME_BOUNDS, parseEvent, type AlmanacEvent, type EventTimeBounds } from '../../core/domain/event.ts';
import type { CsvMapping } from './csv-mapping.ts';
import { readCsv } from './csv-reader.ts';
import { compileRowMapping } from './row-events.ts';

export type IngestUnit = { line: number; events: AlmanacEvent[] } | { line: number; reject: string };

/** `onBytes` reports bytes read so far (progress). */
export type BytesListener = (bytes: number) => void;

/** One event per non-blank line; `bounds` is the accepted window of event times (config.events). */
export async function* jsonlUnits(file: string, onBytes?: BytesListener, bounds: EventTimeBounds = DEFAULT_EVENT_TIME_BOUNDS): AsyncGenerator<IngestUnit> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (line % 1024 === 0) onBytes?.(stream.bytesRead);
    if (text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (e) {
      yield { line, reject: `malformed JSON: ${(e as Error).message}` };
      continue;
    }
    try {
      yield { line, events: [parseEvent(raw, '', { bounds })] };
    } catch (e) {
      yield { line, reject: rejectionReason(e) };
    }
  }
  onBytes?.(stream.bytesRead);
}

/** The events of each CSV row per the mapping; `once` events are emitted once per event_id. */
export async function* csvUnits(file: string, mapping: CsvMapping, onBytes?: BytesListener, bounds: EventTimeBounds = DEFAULT_EVENT_TIME_BOUNDS): AsyncGenerator<IngestUnit> {
  const records = readCsv(file, mapping.csv, onBytes);
  let columns = mapping.csv.columns;
  if (mapping.csv.header) {
    const first = await records.next();
    if (first.done) return;
    columns = first.value.fields.map((c) => c.trim());
  }
  const toEvents = compileRowMapping(mapping, columns as string[], file);
  const emittedOnce = new Set<string>();
  let row = 0;
  for await (const record of records) {
    row++;
    if (record.error) {
      yield { line: record.line, reject: record.error };
      continue;
    }
    if (record.fields.length !== (columns as string[]).length) {
      yield { line: record.line, reject: `expected ${(columns as string[]).length} fields, found ${record.fields.length}` };
      continue;
    }
    yield rowUnit(record.line, () => toEvents({ row, fields: record.fields }, (id) => emittedOnce.has(id)), emittedOnce, bounds);
  }
}

function rowUnit(line: number, build: () => { raw: Record<string, unknown>; once: boolean }[], emittedOnce: Set<string>, bounds: EventTimeBounds): IngestUnit {
  const events: AlmanacEvent[] = [];
  const once: string[] = [];
  try {
    for (const { raw, once: isOnce } of build()) {
      const id = typeof raw.event_id === 'string' ? raw.event_id : '';
      if (isOnce && emittedOnce.has(id)) continue;
      events.push(parseEvent(raw, `${String(raw.type)}`, { bounds }));
      if (isOnce) once.push(id);
    }
  } catch (e) {
    return { line, reject: rejectionReason(e) };
  }
  for (const id of once) emittedOnce.add(id);
  return { line, events };
}

/** "path: reason; path: reason" from a validation error, or the error's message. */
export function rejectionReason(e: unknown): string {
  if (isAlmanacError(e)) {
    const issues = (e.details.issues ?? []) as FieldIssue[];
    if (issues.length > 0) return issues.map((i) => `${i.path}: ${i.reason}`).join('; ');
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
