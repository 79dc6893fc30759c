/**
 * Parsers of the feature commands' options: dates, durations, integers. They throw commander's
 * InvalidArgumentError so that commander reports one line and the CLI exits 2.
 */
import { InvalidArgumentError } from 'commander';

/** `2024-05-01`, `2024-05-01T10:00:00Z` or epoch ms → epoch ms (UTC). */
export function dateOption(name: string) {
  return (value: string): number => {
    const ms = /^\d+$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : /(Z|[+-]\d{2}:?\d{2})$/.test(value) ? Date.parse(value) : NaN;
    if (!Number.isFinite(ms)) {
      throw new InvalidArgumentError(`${name} must be a date (2024-05-01), a date-time with a zone (2024-05-01T10:00:00Z) or epoch ms.`);
    }
    return ms;
  };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `7d`, `12h`, `30m`, `45s`, `500ms` → ms. */
export function durationOption(name: string) {
  return (value: string): number => {
    const m = /^(\d+)(ms|s|m|h|d)$/.exec(value.trim());
    const ms = m ? Number(m[1]) * (UNITS[m[2] as string] as number) : NaN;
    if (!(ms > 0)) throw new InvalidArgumentError(`${name} must be a positive duration like 7d, 12h, 30m.`);
    return ms;
  };
}

/** A positive integer ≥ `min`. */
export function positiveIntOption(name: string, min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}.`);
    return n;
  };
}
