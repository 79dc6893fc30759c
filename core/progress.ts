/**
 * Progress for long work, on stderr. On a terminal (the stream is a TTY and TERM is not 'dumb'): a
 * progress bar redrawn in place (cli-progress) with done/total, percentage, rate and ETA — a
 * counter with its rate when the total is unknown. Otherwise (tests, CI, pipes): a plain line per
 * update, throttled to one per `intervalMs`, and a last line on `done`. Silent when `quiet`, so
 * that stdout stays machine-readable.
 */
import cliProgress from 'cli-progress';

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
  /** Plain mode: at most one line per this many ms (default 1000). */
  intervalMs?: number;
  stream?: NodeJS.WritableStream;
  /** Draw a bar (true) or plain lines (false); default: whether `stream` is a terminal (progressBarFits). */
  bar?: boolean;
}

/** Whether `stream` shows a redrawn bar: a TTY whose TERM is not 'dumb'. */
export function progressBarFits(stream: NodeJS.WritableStream = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  return (stream as Partial<NodeJS.WriteStream>).isTTY === true && env.TERM !== 'dumb';
}

export function createProgress(options: ProgressOptions): Progress {
  if (options.quiet) return { update() {}, tick() {}, done() {} };
  const stream = options.stream ?? process.stderr;
  return (options.bar ?? progressBarFits(stream)) ? barProgress({ ...options, stream }) : lineProgress({ ...options, stream });
}

/** Today's plain lines: `[label] done/total unit pct rate unit/s eta note`, throttled. */
function lineProgress({ label, total, unit = 'items', intervalMs = 1000, stream }: ProgressOptions & { stream: NodeJS.WritableStream }): Progress {
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
    const now = Date.now();
    if (now - last >= intervalMs) {
      last = now;
      stream.write(render(note));
    }
  };
  return {
    update(done, note) { count = done; maybeWrite(note); },
    tick(n = 1, note) { count += n; maybeWrite(note); },
    done(note) { stream.write(render(note ? `done ${note}` : 'done')); },
  };
}

/** A cli-progress bar, started on the first update; its redraw timer never keeps the process alive. */
function barProgress({ label, total, unit = 'items', stream }: ProgressOptions & { stream: NodeJS.WritableStream }): Progress {
  const started = Date.now();
  let count = 0;
  let bar: cliProgress.SingleBar | undefined;
  let finished = false;
  const format = (opts: cliProgress.Options, params: cliProgress.Params, payload: { note?: string }): string => {
    const rate = params.value / Math.max((Date.now() - started) / 1000, 1e-3);
    const note = payload.note ? ` ${payload.note}` : '';
    if (total === undefined) return `[${label}] ${params.value} ${unit} ${formatRate(rate)} ${unit}/s${note}`;
    const eta = rate > 0 && params.value < total ? ` eta ${Math.max(0, (total - params.value) / rate).toFixed(0)}s` : '';
    return `[${label}] ${cliProgress.Format.BarFormat(params.progress, opts)} ${(100 * params.progress).toFixed(1)}% ${params.value}/${total} ${unit} ${formatRate(rate)} ${unit}/s${eta}${note}`;
  };
  const draw = (note?: string) => {
    if (finished) return;
    if (!bar) {
      // linewrap: true leaves the terminal's wrapping alone, so an error thrown mid-bar cannot leave it off
      bar = new UnrefBar({ stream, format, barsize: 30, linewrap: true, hideCursor: false, fps: 10 });
      bar.start(total ?? 0, count, { note });
      return;
    }
    bar.update(count, { note });
  };
  return {
    update(done, note) { count = done; draw(note); },
    tick(n = 1, note) { count += n; draw(note); },
    done(note) {
      draw(note ? `done ${note}` : 'done');
      finished = true;
      bar?.stop();
    },
  };
}

/** SingleBar whose redraw timer is unref'd: a caller that throws before `done` does not hang the process. */
class UnrefBar extends cliProgress.SingleBar {
  override render(): void {
    super.render();
    (this as unknown as { timer?: NodeJS.Timeout | null }).timer?.unref();
  }
}

function formatRate(r: number): string {
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)}M`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)}k`;
  return r.toFixed(1);
}
