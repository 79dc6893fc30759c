/**
 * A plan moved to a pattern's configuration: the plan's touch (and campaign) with the pattern's
 * choices applied, as the model scores it for the rerank's model component; and a key of what a
 * move changes, so moves that give the same touch (a choice the plan already makes, a condition
 * adapt does not apply) are scored once, and copied once.
 */
import type { TouchWithCampaign } from '../touch-records.ts';

/** Where a condition is written: the touch, its audience, its attributes, the campaign, its attributes. */
type Place = 't' | 'a' | 'ta' | 'c' | 'ca';

/**
 * Each write the conditions make, in order: the field of `place` set to the condition's value. A
 * condition names a role (channel, segment, objective, offer, creative) or an attribute
 * (`audience.*`, `campaign.*`, `touch.*`); the industry and unknown keys are not applied (the
 * plan's industry stays the client's); campaign writes only when the plan has a campaign.
 */
function eachWrite(keys: readonly string[], conditions: Record<string, string>, campaign: boolean, write: (place: Place, field: string, value: string) => void): void {
  for (const key of keys) {
    const value = conditions[key] as string;
    if (key === 'channel') {
      write('t', 'channel', value);
      if (campaign) write('c', 'channel', value);
    } else if (key === 'segment') write('a', 'segment', value);
    else if (key === 'objective') { if (campaign) write('c', 'objective', value); }
    else if (key === 'offer' || key === 'creative') {
      write('ta', key, value);
      if (campaign) write('ca', key, value);
    } else if (key.startsWith('audience.')) write('a', key.slice('audience.'.length), value);
    else if (key.startsWith('campaign.')) { if (campaign) write('ca', key.slice('campaign.'.length), value); }
    else if (key.startsWith('touch.')) write('ta', key.slice('touch.'.length), value);
  }
}

function fieldsOf(t: TouchWithCampaign, place: Place): Record<string, unknown> {
  switch (place) {
    case 't': return t.touch as unknown as Record<string, unknown>;
    case 'a': return t.touch.audience;
    case 'ta': return t.touch.attributes;
    case 'c': return t.campaign as unknown as Record<string, unknown>;
    default: return (t.campaign as NonNullable<TouchWithCampaign['campaign']>).attributes;
  }
}

/** The plan's touch with the pattern's choices applied (copies; the base is not changed). */
export function adapt(base: TouchWithCampaign, conditions: Record<string, string>): TouchWithCampaign {
  const touch = { ...base.touch, audience: { ...base.touch.audience }, attributes: { ...base.touch.attributes } };
  const campaign = base.campaign ? { ...base.campaign, attributes: { ...base.campaign.attributes } } : undefined;
  const adapted = { touch, campaign };
  eachWrite(Object.keys(conditions), conditions, campaign !== undefined, (place, field, value) => { fieldsOf(adapted, place)[field] = value; });
  return adapted;
}

/**
 * A key of what adapt(base, conditions) changes: moves of one base with the same key are the same
 * touch and campaign field for field ("" = the plan itself). It lists the fields (where and which)
 * whose value a condition changes, with the value, length-prefixed (no field name or value can run
 * into the next), in the order of the sorted condition keys (two sets that change the same fields
 * through differently named conditions may get two keys: then they are only not shared). Conditions that write one field twice (`segment` and
 * `audience.segment`) get no key (undefined: shared with none), since the sorted writes no longer
 * say which value was written last. The fields are eachWrite's, the same walk adapt makes.
 */
export function adaptedKey(base: TouchWithCampaign, conditions: Record<string, string>): string | undefined {
  const w: KeyWrites = { fields: [], changes: [], twice: false };
  eachWrite(sortedKeys(conditions), conditions, base.campaign !== undefined, (place, field, value) => wrote(w, place, field, holds(fieldsOf(base, place), field, value), value));
  if (w.twice) return undefined;
  return w.changes.length > 1 ? w.changes.join('') : (w.changes[0] ?? '');
}

/** The sorted keys of frozen condition sets (a hit's conditions: one frozen object per pattern). */
const frozenSortedKeys = new WeakMap<object, readonly string[]>();

/** The condition keys in sorted order, so that the same writes come in the same order whatever order the conditions are in. */
function sortedKeys(conditions: Record<string, string>): readonly string[] {
  if (!Object.isFrozen(conditions)) return Object.keys(conditions).sort();
  let keys = frozenSortedKeys.get(conditions);
  if (keys === undefined) frozenSortedKeys.set(conditions, (keys = Object.keys(conditions).sort()));
  return keys;
}

/** The base already holds `value` there (as its own field: a copy holds own fields only). */
const holds = (fields: object, field: string, value: string): boolean => Object.hasOwn(fields, field) && (fields as Record<string, unknown>)[field] === value;

interface KeyWrites { fields: string[]; changes: string[]; twice: boolean }

function wrote(w: KeyWrites, place: Place, field: string, unchanged: boolean, value: string): void {
  const at = place + field.length + ':' + field;
  if (w.fields.length > 0 && w.fields.includes(at)) w.twice = true;
  w.fields.push(at);
  if (!unchanged) w.changes.push(at + value.length + ':' + value);
}
