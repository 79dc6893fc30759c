/**
 * A plan moved to a pattern's configuration: the plan's touch (and campaign) with the pattern's
 * choices applied, as the model scores it for the rerank's model component, with a key of what the
 * move changed, so moves that give the same touch (a choice the plan already makes, a condition
 * adapt does not apply) are scored once.
 */
import type { TouchWithCampaign } from '../touch-records.ts';

/** The plan's touch with the pattern's choices applied (its industry stays the client's). */
export function adapt(base: TouchWithCampaign, conditions: Record<string, string>): TouchWithCampaign {
  return adaptPlan(base, conditions).adapted;
}

/**
 * adapt, and a key of the fields it changed: moves of one base with the same key are the same touch
 * and campaign field for field ("" = the plan itself). The key lists each write whose value differs from
 * the base's, length-prefixed (no field name or value can run into the next) and sorted. Conditions
 * that write one field twice (`offer` and `touch.offer`) get a key of their own (`key` is then
 * undefined: not shared), since the sorted writes no longer say which value was written last.
 */
export function adaptPlan(base: TouchWithCampaign, conditions: Record<string, string>): { adapted: TouchWithCampaign; key: string | undefined } {
  const touch = { ...base.touch, audience: { ...base.touch.audience }, attributes: { ...base.touch.attributes } };
  const campaign = base.campaign ? { ...base.campaign, attributes: { ...base.campaign.attributes } } : undefined;
  const w: Writes = { fields: [], changes: [], twice: false };
  for (const [key, value] of Object.entries(conditions)) {
    if (key === 'channel') {
      wrote(w, 't', 'channel', touch.channel, Object.hasOwn(touch, 'channel'), value);
      touch.channel = value as typeof touch.channel;
      if (campaign) {
        wrote(w, 'c', 'channel', campaign.channel, true, value);
        campaign.channel = value as typeof campaign.channel;
      }
    } else if (key === 'segment') {
      wrote(w, 'a', 'segment', touch.audience.segment, true, value);
      touch.audience.segment = value;
    } else if (key === 'objective') {
      if (campaign) {
        wrote(w, 'c', 'objective', campaign.objective, true, value);
        campaign.objective = value as typeof campaign.objective;
      }
    } else if (key === 'offer' || key === 'creative') {
      wrote(w, 'ta', key, touch.attributes[key], Object.hasOwn(touch.attributes, key), value);
      touch.attributes[key] = value;
      if (campaign) {
        wrote(w, 'ca', key, campaign.attributes[key], Object.hasOwn(campaign.attributes, key), value);
        campaign.attributes[key] = value;
      }
    } else if (key.startsWith('audience.')) {
      const f = key.slice('audience.'.length);
      wrote(w, 'a', f, touch.audience[f], Object.hasOwn(touch.audience, f), value);
      touch.audience[f] = value;
    } else if (key.startsWith('campaign.') && campaign) {
      const f = key.slice('campaign.'.length);
      wrote(w, 'ca', f, campaign.attributes[f], Object.hasOwn(campaign.attributes, f), value);
      campaign.attributes[f] = value;
    } else if (key.startsWith('touch.')) {
      const f = key.slice('touch.'.length);
      wrote(w, 'ta', f, touch.attributes[f], Object.hasOwn(touch.attributes, f), value);
      touch.attributes[f] = value;
    }
  }
  const key = w.twice ? undefined : w.changes.length > 1 ? w.changes.sort().join('') : (w.changes[0] ?? '');
  return { adapted: { touch, campaign }, key };
}

/** The writes of one adaptPlan: each field written (place + field), the changes, whether a field was written twice. */
interface Writes { fields: string[]; changes: string[]; twice: boolean }

function wrote(w: Writes, place: string, field: string, before: unknown, had: boolean, value: string): void {
  const at = place + field.length + ':' + field;
  if (w.fields.length > 0 && w.fields.includes(at)) w.twice = true;
  w.fields.push(at);
  if (!had || !Object.is(before, value)) w.changes.push(at + value.length + ':' + value);
}
