/** The one-line explanation of a recommended pattern. */
import type { RankedPattern } from './rerank.ts';

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * e.g. "similar (0.91) to a pattern converting 18.2% [16.9–19.6%] over 12,345 touches from 7
 * clients; proven in retail by 4 clients".
 */
export function explainPattern(r: RankedPattern, industry: string): string {
  const c = r.candidate;
  const clients = `${c.distinct_clients} client${c.distinct_clients === 1 ? '' : 's'}`;
  let text = `similar (${c.similarity.toFixed(2)}) to a pattern converting ${pct(c.success_rate)} [${(100 * c.ci_low).toFixed(1)}–${pct(c.ci_high)}] over ${int(c.touches)} touches from ${clients}`;
  if (r.provenInIndustryBy !== null) {
    text += r.provenInIndustryBy > 0
      ? `; proven in ${industry} by ${r.provenInIndustryBy} client${r.provenInIndustryBy === 1 ? '' : 's'}`
      : `; not yet proven in ${industry}${c.industries.length ? ` (seen in ${c.industries.slice(0, 3).join(', ')})` : ''}`;
  }
  if (r.modelProbability !== null) text += `; the model gives your plan in this configuration ${pct(r.modelProbability)}`;
  if (r.components.rules < 1) text += notes(r);
  return text;
}

function notes(r: RankedPattern): string {
  const c = r.candidate;
  const out: string[] = [];
  if (c.touches < 100) out.push('small sample');
  if (c.ci_high - c.ci_low > 0.15) out.push('wide interval');
  return out.length ? ` (${out.join(', ')})` : '';
}
