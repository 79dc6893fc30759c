/**
 * Event time of a CSV row, per the mapping's `time` rule. `month_day_in_row_order` reconstructs
 * dates from a month name and a day of month in a file sorted by time (the UCI bank data): the
 * year starts at `startYear` and increments whenever the month goes backwards; rows of the same
 * day get distinct increasing times, `stepMs` apart, in row order.
 */
import type { EventTimeSpec } from './csv-mapping.ts';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export type RowTime = (cell: (column: string) => string) => number;

/** A stateful function row → epoch ms; throws an Error whose message is the rejection reason. */
export function eventTimeOf(spec: EventTimeSpec): RowTime {
  if (spec.kind === 'column') return (cell) => parseColumnTime(cell(spec.column), spec.column, spec.format);
  let year = spec.startYear;
  let lastMonth = -1;
  let lastDay = -1;
  let sameDay = 0;
  let lastWeekday = -1;
  return (cell) => {
    const month = monthIndex(cell(spec.month), spec.month);
    const y = lastMonth >= 0 && month < lastMonth ? year + 1 : year;
    let day: number;
    if (spec.weekday !== undefined) {
      const weekday = weekdayIndex(cell(spec.weekday), spec.weekday);
      day = month === lastMonth && y === year ? nextDayWithWeekday(y, month, lastDay, weekday, weekday !== lastWeekday) : nextDayWithWeekday(y, month, 0, weekday, true);
      lastWeekday = weekday;
    } else {
      const dayText = cell(spec.day as string).trim();
      day = Number(dayText);
      if (!Number.isInteger(day) || day < 1 || day > 31) throw new Error(`${spec.day}: '${dayText}' is not a day of month (1-31)`);
    }
    const base = Date.UTC(y, month, day);
    if (new Date(base).getUTCDate() !== day) throw new Error(`${spec.day}: ${y}-${MONTHS[month]} has no day ${day}`);
    sameDay = month === lastMonth && day === lastDay && y === year ? sameDay + 1 : 0;
    year = y;
    lastMonth = month;
    lastDay = day;
    return base + sameDay * spec.stepMs;
  };
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function weekdayIndex(text: string, column: string): number {
  const i = WEEKDAYS.indexOf(text.trim().toLowerCase().slice(0, 3));
  if (i < 0) throw new Error(`${column}: '${text}' is not a day of week (mon..sun)`);
  return i;
}

/**
 * The day of month a weekday-only row falls on: `after` itself when the weekday did not change,
 * else the first later date of the month with that weekday (the month's last day if none is left).
 */
function nextDayWithWeekday(year: number, month: number, after: number, weekday: number, changed: boolean): number {
  if (!changed && after > 0) return after;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  for (let d = after + 1; d <= last; d++) if (new Date(Date.UTC(year, month, d)).getUTCDay() === weekday) return d;
  return Math.max(after, last);
}

function monthIndex(text: string, column: string): number {
  const t = text.trim().toLowerCase();
  const byName = MONTHS.indexOf(t.slice(0, 3));
  if (byName >= 0 && (t.length === 3 || t.startsWith(MONTHS[byName] as string))) return byName;
  const n = Number(t);
  if (Number.isInteger(n) && n >= 1 && n <= 12) return n - 1;
  throw new Error(`${column}: '${text}' is not a month (jan..dec or 1-12)`);
}

function parseColumnTime(text: string, column: string, format: 'iso' | 'epoch_ms' | 'epoch_s'): number {
  const t = text.trim();
  if (format === 'iso') {
    const ms = /^\d{4}-\d{2}-\d{2}(T|$)/.test(t) ? Date.parse(/T.*(Z|[+-]\d{2}:?\d{2})$/.test(t) || !t.includes('T') ? t : `${t}Z`) : Number.NaN;
    if (Number.isNaN(ms)) throw new Error(`${column}: '${text}' is not an ISO-8601 date or date-time`);
    return ms;
  }
  const n = Number(t);
  if (t === '' || !Number.isFinite(n) || n < 0) throw new Error(`${column}: '${text}' is not an epoch ${format === 'epoch_s' ? 'second' : 'millisecond'} count`);
  return Math.round(format === 'epoch_s' ? n * 1000 : n);
}

/** First millisecond of the UTC month of `ms`. */
export function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Last millisecond of the UTC month of `ms`. */
export function monthEnd(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1;
}
