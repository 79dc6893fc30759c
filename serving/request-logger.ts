/**
 * Per-request loggers made on first use. fastify gives every request a pino child bound to its
 * request id (a child costs a few µs: bindings serialised, prototype chain set up); most requests
 * of a service logging at 'warn' never write a line. The lazy logger checks the level against its
 * parent and makes the real child — with the same bindings, hence the same output — only when a
 * line is written, a grandchild is asked for, or its level is changed.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Logger } from '../core/logger.ts';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type Bindings = Record<string, unknown>;
type LogCall = (...args: unknown[]) => void;

class LazyRequestLogger {
  private made: Logger | undefined;

  constructor(private readonly parent: Logger, private readonly bound: Bindings) {}

  private get real(): Logger {
    this.made ??= this.parent.child(this.bound);
    return this.made;
  }

  private write(level: Level, args: unknown[]): void {
    const logger = this.made ?? this.parent;
    if (!logger.isLevelEnabled(level)) return;
    const real = this.real;
    (real[level] as LogCall).apply(real, args);
  }

  get level(): string { return (this.made ?? this.parent).level; }
  set level(level: string) { this.real.level = level; }
  fatal(...args: unknown[]): void { this.write('fatal', args); }
  error(...args: unknown[]): void { this.write('error', args); }
  warn(...args: unknown[]): void { this.write('warn', args); }
  info(...args: unknown[]): void { this.write('info', args); }
  debug(...args: unknown[]): void { this.write('debug', args); }
  trace(...args: unknown[]): void { this.write('trace', args); }
  silent(): void {}
  isLevelEnabled(level: string): boolean { return (this.made ?? this.parent).isLevelEnabled(level); }
  bindings(): Bindings { return this.real.bindings(); }
  child(bindings: Bindings, options?: object): Logger { return this.real.child(bindings, options); }
}

/**
 * fastify's `childLoggerFactory` (for a pino logger): a lazy child for the common case; the
 * logger's own child at once when the route asks for its own level or serializers, or when the
 * logger is not pino (no isLevelEnabled).
 */
export function lazyChildLogger(this: FastifyInstance, logger: FastifyBaseLogger, bindings: Bindings, options: object): FastifyBaseLogger {
  if (Object.keys(options).length > 0 || typeof (logger as Partial<Logger>).isLevelEnabled !== 'function') return logger.child(bindings, options);
  return new LazyRequestLogger(logger as unknown as Logger, bindings) as unknown as FastifyBaseLogger;
}
