/**
 * Progress for long work, on stderr: a line per update with done/total, rate and ETA, throttled.
 * Silent when `quiet` (tests) so that stdout stays machine-readable.
 */
export interface Progress {
  /** Sets the absolute amount done (and optionally extra text such as lag). */
  update(done: number, note?: string): void;
  /** Adds to the amount done. */
  tick(n?: number, note?: string): void;
  done(note?: string): void;
}

export interface ProgressOptions {
  label: string;
  total?: number;
  unit?: string;
  quiet?: boolean;
  intervalMs?: number;
  stream?: NodeJS.WritableStream;
}

export function createProgress({ label, total, unit = 'items', quiet = false, intervalMs = 1000, stream = process.stderr }: ProgressOptions): Progress {
  const started = Date.now();
  let last = 0;
  let count = 0;
  const render = (note?: string): string => {
    const secs = Math.max((Date.now() - started) / 1000, 1e-3);
    const rate = count / secs;
    const pct = total ? ` ${((100 * count) / total).toFixed(1)}%` : '';
    const eta = total && rate > 0 ? ` eta ${Math.max(0, (total - count) / rate).toFixed(0)}s` : '';
    const of = total !== undefined ? `/${total}` : '';
    return `[${label}] ${count}${of} ${unit}${pct} ${formatRate(rate)} ${unit}/s${eta}${note ? ` ${note}` : ''}\n`;
  };
  const maybeWrite = (note?: string) => {
    if (quiet) return;
    const now = Date.now();
    if (now - last >= intervalMs) {
      last = now;
      stream.write(render(note));
    }
  };
  return {
    update(done, note) { count = done; maybeWrite(note); },
    tick(n = 1, note) { count += n; maybeWrite(note); },
    done(note) { if (!quiet) stream.write(render(note ? `done ${note}` : 'done')); },
  };
}

function formatRate(r: number): string {
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)}M`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)}k`;
  return r.toFixed(1);
}
