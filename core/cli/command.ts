/** Shared plumbing of CLI commands: config loading, one-line errors, exit codes. */
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, type AlmanacConfig } from '../config.ts';
import { asAlmanacError, invalidInput } from '../errors.ts';

/** The config for a command: --config flag of the root program, then environment. */
export function commandConfig(cmd: Command): AlmanacConfig {
  const root = rootOf(cmd);
  const file = root.opts<{ config?: string }>().config;
  return loadConfig(file === undefined ? {} : { file });
}

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/**
 * Wraps a command action: any error becomes one line on stderr (`almanac: <code>: <message>`)
 * and a non-zero exit code; config errors and bad input exit 2, other failures 1.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      const err = e instanceof InvalidArgumentError ? invalidInput(e.message) : asAlmanacError(e);
      process.stderr.write(`almanac: ${err.code}: ${err.message}\n`);
      if (err.code === 'ALMANAC_ERR_INTERNAL' && process.env.ALMANAC_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
      const configError = err.code.startsWith('ALMANAC_ERR_CONFIG');
      process.exitCode = configError || (err.status >= 400 && err.status < 500) ? 2 : 1;
    }
  };
}

/** Bounds of a TCP port option (`0` = any free port). */
export const PORT_MAX = 65535;

/**
 * Parses an integer CLI option in `min..max` (max unbounded unless given). Usable both as a commander argument parser (bad values become
 * commander's one-line usage error, exit 2) and called directly inside `action()`.
 */
export function intOption(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = /^[+-]?\d+$/.test(value) ? Number(value) : Number.NaN; // not '', '0x10', '1e3' or ' 7 '
    if (!Number.isInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}..${max}`;
      throw new InvalidArgumentError(`option ${name} must be an integer ${range}, got '${value}'`);
    }
    return n;
  };
}
