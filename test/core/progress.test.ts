import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, progressBarFits } from '../../core/progress.ts';

/** A stream that keeps what is written; `tty` makes it look like a terminal (isTTY, columns). */
function sink(tty: boolean): Writable & { text: () => string; isTTY?: boolean; columns?: number } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } }) as Writable & { text: () => string; isTTY?: boolean; columns?: number };
  stream.text = () => chunks.join('');
  if (tty) {
    stream.isTTY = true;
    stream.columns = 120;
  }
  return stream;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b(?:\[[0-9;?]*[A-Za-z]|[78])/g;

describe('progress', () => {
  it('is a bar on a terminal and plain lines elsewhere (and on TERM=dumb)', () => {
    expect(progressBarFits(sink(true), {})).toBe(true);
    expect(progressBarFits(sink(true), { TERM: 'dumb' })).toBe(false);
    expect(progressBarFits(sink(false), {})).toBe(false);
  });

  it('on a terminal draws a bar in place: cursor moves, no line per update, one newline at the end', () => {
    const stream = sink(true);
    const p = createProgress({ label: 'ingest', total: 200, unit: 'lines', stream });
    for (let i = 1; i <= 200; i++) p.update(i);
    p.done('200 accepted');
    const out = stream.text();
    expect(out).toMatch(ANSI); // redrawn with terminal escapes (cursor to column 0, clear right)
    expect(out.split('\n')).toHaveLength(2); // the bar's line, closed by done
    const last = out.replace(ANSI, '').split('\r').pop() ?? '';
    expect(last).toContain('[ingest]');
    expect(last).toMatch(/█{30}|={30}|#{30}/); // a full 30-character bar
    expect(last).toContain('100.0% 200/200 lines');
    expect(last).toContain('done 200 accepted');
  });

  it('on a terminal without a total shows a counter with its rate', () => {
    const stream = sink(true);
    const p = createProgress({ label: 'features stream', unit: 'events', stream });
    p.tick(1500, 'lag 0');
    p.done();
    const text = stream.text().replace(ANSI, '');
    expect(text).toMatch(/\[features stream\] 1500 events [\d.]+[kM]? events\/s done\n$/);
    expect(text).not.toContain('%');
  });

  it('elsewhere writes today’s plain lines, throttled, and a last line on done', () => {
    const stream = sink(false);
    const p = createProgress({ label: 'ingest', total: 200, unit: 'lines', stream, intervalMs: 60_000 });
    for (let i = 1; i <= 200; i++) p.update(i);
    p.done('ok');
    const lines = stream.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2); // the first update (throttle open), then done; nothing in between
    expect(lines[0]).toMatch(/^\[ingest\] 1\/200 lines 0\.5% [\d.]+[kM]? lines\/s/);
    expect(lines[1]).toMatch(/^\[ingest\] 200\/200 lines 100\.0% .* done ok$/);
    expect(stream.text()).not.toMatch(ANSI);
  });

  it('writes nothing when quiet, in either mode', () => {
    for (const tty of [true, false]) {
      const stream = sink(tty);
      const p = createProgress({ label: 'x', total: 3, quiet: true, stream });
      p.tick();
      p.done();
      expect(stream.text()).toBe('');
    }
  });
});
