/** The one-line explanations of recommended patterns and of anti-patterns a plan matches. */
import type { CataloguePattern } from '../../embeddings/patterns/pattern-catalogue.ts';
import type { RankedPattern } from './rerank.ts';

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const num = (x: number): string => x.toFixed(x < 10 ? 2 : 1);
const times = (x: number): string => `${num(x)}×`;
const range = (low: number, high: number): string => `${num(low)}–${times(high)}`;

/**
 * e.g. "your plan is this pattern: saas · phone · offer=loyalty_points · segment=loyal converts
 * 12.1% [10.9–13.4%], 2.10× (1.81–2.44×) its clients' other touches, over 5,300 touches from 5
 * clients; proven in saas by 5 clients; the model gives your plan in this configuration 11.2%".
 */
export function explainPattern(r: RankedPattern, industry: string, planConditions: number, antiPatterns: readonly CataloguePattern[] = []): string {
  const c = r.candidate;
  const n = Object.keys(c.conditions).length;
  const lead = r.match === 'applies'
    ? n >= planConditions ? 'your plan is this pattern' : `your plan falls under this pattern (it has all ${n} of its choices)`
    : `close to your plan (shares ${r.shared} of its ${n} conditions)`;
  const clients = c.tenant === 'global' ? `${c.distinct_clients} client${c.distinct_clients === 1 ? '' : 's'}` : 'your own campaigns';
  let text = `${lead}: ${c.description} converts ${pct(c.success_rate)} [${(100 * c.ci_low).toFixed(1)}–${pct(c.ci_high)}], `
    + `${times(c.lift)} (${range(c.lift_low, c.lift_high)}) the same clients' other touches, over ${int(c.touches)} touches from ${clients}`;
  if (r.provenInIndustryBy !== null && c.tenant === 'global') {
    text += r.provenInIndustryBy > 0
      ? `; proven in ${industry} by ${r.provenInIndustryBy} client${r.provenInIndustryBy === 1 ? '' : 's'}`
      : `; not yet proven in ${industry}${c.industries.length ? ` (seen in ${c.industries.slice(0, 3).join(', ')})` : ''}`;
  }
  if (r.own) text += `; your own campaigns: ${pct(r.own.success_rate)} over ${int(r.own.touches)} touches`;
  if (r.modelProbability !== null) text += `; the model gives your plan in this configuration ${pct(r.modelProbability)}`;
  if (r.components.rules < 1) text += notes(r);
  if (r.match === 'applies' && antiPatterns.length > 0) {
    const a = antiPatterns[0] as CataloguePattern;
    text += `; caution: your plan also matches the anti-pattern ${a.description} (${times(a.lift)} base)`;
  }
  return text;
}

export function explainAntiPattern(a: CataloguePattern): string {
  const who = a.tenant === 'global' ? `${a.distinct_clients} clients` : 'your own campaigns';
  return `avoid: ${a.description} converts ${pct(a.success_rate)}, ${times(a.lift)} (${range(a.lift_low, a.lift_high)}) the same clients' other touches, over ${int(a.touches)} touches from ${who}; not recommended`;
}

function notes(r: RankedPattern): string {
  const c = r.candidate;
  const out: string[] = [];
  if (c.touches < 100) out.push('small sample');
  if (c.ci_high - c.ci_low > 0.15) out.push('wide interval');
  if (c.conditions.industry !== undefined && r.provenInIndustryBy === 0) out.push('proven in another industry');
  return out.length ? ` (${out.join(', ')})` : '';
}
