/**
 * The live build's patterns a key may browse, by the search's own rule (visiblePatterns /
 * visibleAntiPatterns / mayShowPattern of embeddings/patterns/pattern-catalogue.ts): a tenant key
 * sees the cross-client patterns that pass k-anonymity and its own private ones; an admin key sees
 * every pattern of the build. Numbers are shown as the search shows them (serving/response-rounding).
 */
import type { Principal } from '../../core/tenants/principal.ts';
import { mayShowPattern, orderedPatterns, visibleAntiPatterns, visiblePatterns, type CataloguePattern, type PatternCatalogue } from '../../embeddings/patterns/pattern-catalogue.ts';
import { round } from '../response-rounding.ts';

/** Who browses: an admin (everything) or a tenant (its client). */
export type Viewer = { admin: true } | { admin: false; clientId: string };

export function viewerOf(p: Principal | undefined): Viewer | undefined {
  if (p?.scopes.has('admin')) return { admin: true };
  return p?.clientId ? { admin: false, clientId: p.clientId } : undefined;
}

/** Success patterns first (best lower lift bound first), then anti-patterns (most harmful first). */
export function visibleCatalogue(catalogue: PatternCatalogue, viewer: Viewer, minClients: number): CataloguePattern[] {
  if (viewer.admin) return orderedPatterns(catalogue);
  const options = { clientId: viewer.clientId, minClients };
  return [...visiblePatterns(catalogue, options), ...visibleAntiPatterns(catalogue, options)];
}

/** Whether a figure of a pattern (e.g. one build of its history) may be shown to the viewer. */
export function mayView(p: Pick<CataloguePattern, 'tenant' | 'visibility_clients'>, viewer: Viewer, minClients: number): boolean {
  return viewer.admin || mayShowPattern(p, { clientId: viewer.clientId, minClients });
}

/** A pattern as the console's routes return it. */
export function shownPattern(p: CataloguePattern) {
  return {
    pattern_id: p.id, kind: p.kind ?? 'success', scope: p.scope === 'global' ? 'global' as const : 'private' as const,
    description: p.description, conditions: p.conditions, sample_size: p.touches, conversions: p.conversions,
    success_rate: round(p.success_rate), confidence_interval: [round(p.ci_low), round(p.ci_high)] as [number, number],
    lift: round(p.lift, 3), lift_interval: [round(p.lift_low, 3), round(p.lift_high, 3)] as [number, number], raw_lift: round(p.raw_lift, 3),
    distinct_clients: p.distinct_clients, campaigns: p.campaigns, industries: p.industries,
  };
}
