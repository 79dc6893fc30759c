/** Structured logging with pino; services log JSON to stdout, CLI progress goes to stderr. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.ALMANAC_LOG_LEVEL ?? 'info', name = 'almanac'): Logger {
  return pino({ name, level });
}

/** A logger that writes nothing (tests, library use). */
export const silentLogger: Logger = pino({ level: 'silent' });
