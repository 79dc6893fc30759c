import { describe, expect, it } from 'vitest';
import { conditionsKey } from '../../../embeddings/patterns/configuration.ts';

describe('conditionsKey', () => {
  it('is one text per set of conditions, whatever their order, frozen or not', () => {
    const a = { segment: 'loyal', channel: 'email', 'audience.age': '18-24' };
    const b = { 'audience.age': '18-24', channel: 'email', segment: 'loyal' };
    expect(conditionsKey(a)).toBe('audience.age=18-24&channel=email&segment=loyal');
    expect(conditionsKey(b)).toBe(conditionsKey(a));
    const frozen = Object.freeze({ ...b });
    expect(conditionsKey(frozen)).toBe(conditionsKey(a));
    expect(conditionsKey(frozen)).toBe(conditionsKey(a)); // kept: the same text again
    expect(conditionsKey(Object.freeze({}))).toBe('');
  });

  it('follows an unfrozen set when it changes (only frozen sets are kept)', () => {
    const c: Record<string, string> = { channel: 'sms' };
    expect(conditionsKey(c)).toBe('channel=sms');
    c.segment = 'new';
    expect(conditionsKey(c)).toBe('channel=sms&segment=new');
  });
});
