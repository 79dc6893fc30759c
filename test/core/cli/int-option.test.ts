import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { intOption, PORT_MAX } from '../../../core/cli/command.ts';

describe('intOption', () => {
  it('accepts integers in min..max', () => {
    expect(intOption('--port', 0, PORT_MAX)('0')).toBe(0);
    expect(intOption('--port', 0, PORT_MAX)('65535')).toBe(65535);
    expect(intOption('--seed', 0)('123456789')).toBe(123456789);
  });

  it('rejects a port above 65535 naming the range', () => {
    expect(() => intOption('--port', 0, PORT_MAX)('99999')).toThrow(InvalidArgumentError);
    expect(() => intOption('--port', 0, PORT_MAX)('99999')).toThrow("option --port must be an integer in 0..65535, got '99999'");
  });

  it('rejects values that Number() would coerce: empty, hex, exponent, padded, fractional', () => {
    for (const v of ['', ' ', '0x10', '1e3', ' 7 ', '1.5', 'abc', '-1']) {
      expect(() => intOption('--days', 0)(v), v).toThrow(`option --days must be an integer ≥ 0, got '${v}'`);
    }
  });
});
