/**
 * Turns CSV rows into raw events with a mapping: builds each rule's fields from templates,
 * typed columns, constants and times. Compiled once per file against its header, so a mapping
 * naming a missing (or dropped) column fails before any row is read.
 */
import path from 'node:path';
import { invalidInput } from '../../core/errors.ts';
import type { ColumnValue, CsvMapping, EventRule, ValueSpec } from './csv-mapping.ts';
import { eventTimeOf, monthEnd, monthStart, type RowTime } from './event-time.ts';

export interface RowContext {
  /** 1-based data row number (the header is not counted). */
  row: number;
  fields: string[];
}

/** A raw event of a row (to validate with parseEvent), with its rule's `once` flag. */
export interface RowEvent {
  raw: Record<string, unknown>;
  once: boolean;
}

type Cell = (column: string) => string;

interface ValueContext {
  cell: Cell;
  vars: TemplateVars;
  time: number;
}

type Compiled = (ctx: ValueContext) => unknown;

/**
 * Compiles `mapping` for a file whose columns are `columns`. The returned function builds a row's
 * events; a `once` rule whose event_id `emitted(id)` reports is skipped without being built.
 * @throws ALMANAC_ERR_INPUT_INVALID when the mapping names a column the file lacks or drops.
 */
export function compileRowMapping(mapping: CsvMapping, columns: string[], file: string): (row: RowContext, emitted: (id: string) => boolean) => RowEvent[] {
  const index = new Map(columns.map((c, i) => [c, i]));
  const dropped = new Set(mapping.drop);
  for (const column of referencedColumns(mapping)) {
    if (dropped.has(column)) throw invalidInput(`mapping uses column '${column}' which it also drops`, [{ path: 'drop', reason: `'${column}' is used by a field` }]);
    if (!index.has(column)) {
      throw invalidInput(`${file}: column '${column}' named by the mapping is not in the file (columns: ${columns.join(', ')})`, [{ path: column, reason: 'missing column' }], { file });
    }
  }
  const timeOf: RowTime = eventTimeOf(mapping.time);
  const fileStem = path.basename(file).replace(/\.[^.]*$/, '');
  const rules = mapping.events.map((rule) => ({ rule, build: compileFields(rule.fields), eventId: rule.fields.event_id === undefined ? undefined : compileValue(rule.fields.event_id, 'event_id') }));
  return ({ row, fields }, emitted) => {
    const cell: Cell = (column) => fields[index.get(column) as number] ?? '';
    const time = timeOf(cell);
    const ctx: ValueContext = { cell, vars: templateVars(time, row, fileStem), time };
    const events: RowEvent[] = [];
    for (const { rule, build, eventId } of rules) {
      if (!matches(rule, cell)) continue;
      if (rule.once && eventId && emitted(String(eventId(ctx)))) continue;
      events.push({ raw: { type: rule.type, ...(build(ctx) as Record<string, unknown>) }, once: rule.once });
    }
    return events;
  };
}

function matches(rule: EventRule, cell: Cell): boolean {
  if (!rule.when) return true;
  const v = cell(rule.when.column);
  if (rule.when.equals !== undefined && v !== rule.when.equals) return false;
  if (rule.when.in !== undefined && !rule.when.in.includes(v)) return false;
  return true;
}

interface TemplateVars {
  row: string;
  file: string;
  year: string;
  month: string;
  day: string;
}

function templateVars(time: number, row: number, file: string): TemplateVars {
  const d = new Date(time);
  return {
    row: String(row),
    file,
    year: String(d.getUTCFullYear()),
    month: String(d.getUTCMonth() + 1).padStart(2, '0'),
    day: String(d.getUTCDate()).padStart(2, '0'),
  };
}

function compileFields(fields: Record<string, ValueSpec>): Compiled {
  const compiled = Object.entries(fields).map(([name, spec]) => [name, compileValue(spec, name)] as const);
  return (ctx) => {
    const out: Record<string, unknown> = {};
    for (const [name, value] of compiled) {
      const v = value(ctx);
      if (v !== undefined) out[name] = v;
    }
    return out;
  };
}

function compileValue(spec: ValueSpec, name: string): Compiled {
  if (typeof spec === 'string') return compileTemplate(spec);
  if (spec === null || typeof spec !== 'object') return () => spec;
  if ('const' in spec) return () => spec.const;
  if ('template' in spec) return compileTemplate(spec.template);
  if ('fields' in spec) return compileFields(spec.fields);
  if ('time' in spec) {
    const at = spec.time === 'event' ? (t: number) => t : spec.time === 'month_start' ? monthStart : monthEnd;
    return ({ time }) => at(time) + spec.offsetMs;
  }
  return ({ cell }) => typedCell(spec, name, cell);
}

function typedCell(spec: ColumnValue, name: string, cell: Cell): unknown {
  const text = cell(spec.column);
  if (text === '' && spec.optional) return undefined;
  if (spec.type === 'string') return text;
  if (spec.type === 'number') {
    const n = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`${name}: column ${spec.column} value '${text}' is not a number`);
    return n;
  }
  if (spec.true.includes(text)) return true;
  if (spec.false.includes(text)) return false;
  throw new Error(`${name}: column ${spec.column} value '${text}' is not a boolean (true: ${spec.true.join('/')}; false: ${spec.false.join('/')})`);
}

const PLACEHOLDER = /\{(row|file|year|month|day|col:[^}]+)\}/g;

/** A template as a list of parts: literal text or a placeholder read per row. */
function compileTemplate(template: string): Compiled {
  const parts: ((ctx: ValueContext) => string)[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const literal = template.slice(last, m.index);
    if (literal) parts.push(() => literal);
    const key = m[1] as string;
    parts.push(key.startsWith('col:') ? ({ cell }) => cell(key.slice(4)) : ({ vars }) => vars[key as keyof TemplateVars]);
    last = (m.index as number) + m[0].length;
  }
  const tail = template.slice(last);
  if (tail) parts.push(() => tail);
  if (parts.length === 1) return parts[0] as Compiled;
  return (ctx) => {
    let out = '';
    for (const part of parts) out += part(ctx);
    return out;
  };
}

/** Every column a mapping reads (time, conditions, typed values, {col:…} placeholders). */
export function referencedColumns(mapping: CsvMapping): Set<string> {
  const out = new Set<string>();
  if (mapping.time.kind === 'column') out.add(mapping.time.column);
  else {
    out.add(mapping.time.month);
    if (mapping.time.day !== undefined) out.add(mapping.time.day);
    if (mapping.time.weekday !== undefined) out.add(mapping.time.weekday);
  }
  const visit = (spec: ValueSpec): void => {
    if (typeof spec === 'string') for (const m of spec.matchAll(PLACEHOLDER)) if (m[1]?.startsWith('col:')) out.add(m[1].slice(4));
    if (spec === null || typeof spec !== 'object') return;
    if ('template' in spec) visit(spec.template);
    else if ('fields' in spec) Object.values(spec.fields).forEach(visit);
    else if ('column' in spec) out.add(spec.column);
  };
  for (const rule of mapping.events) {
    if (rule.when) out.add(rule.when.column);
    Object.values(rule.fields).forEach(visit);
  }
  return out;
}
