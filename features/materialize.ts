/** Materialization offline → online: the latest row per entity of every view, as of `to`. */
import type { AlmanacConfig } from '../core/config.ts';
import { createProgress } from '../core/progress.ts';
import type { FeatureRow } from './feature-view.ts';
import { createOfflineStore } from './offline-store/create-offline-store.ts';
import { createOnlineStore } from './online-store/create-online-store.ts';
import { FEATURE_VIEWS, viewTtls } from './views/index.ts';

export interface MaterializeReport {
  rows: number;
  rowsByView: Record<string, number>;
  range: { from: number | null; to: number | null };
}

/**
 * Writes, for every view and entity, its latest offline row with timestamp in [from, to) to the
 * online store (newest-wins, so re-running or racing the stream job never goes backwards).
 */
export async function materialize(config: AlmanacConfig, options: { from?: number; to?: number; quiet?: boolean } = {}): Promise<MaterializeReport> {
  const offline = await createOfflineStore(config);
  const online = await createOnlineStore(config);
  await online.init();
  const progress = createProgress({ label: 'materialize', unit: 'views', total: FEATURE_VIEWS.length, quiet: options.quiet });
  const rowsByView: Record<string, number> = {};
  try {
    for (const view of FEATURE_VIEWS) {
      const rows = await offline.scan(view.name, { from: options.from ?? -8.64e15, to: options.to ?? 8.64e15 });
      const latest = new Map<string, FeatureRow>();
      for (const r of rows) latest.set(r.entity, r); // scan is ordered by entity, then timestamp
      await online.write([...latest.values()], viewTtls());
      rowsByView[view.name] = latest.size;
      progress.tick();
    }
    await online.flush();
  } finally {
    await online.close();
    await offline.close();
  }
  const rows = Object.values(rowsByView).reduce((a, b) => a + b, 0);
  progress.done(`${rows} rows`);
  return { rows, rowsByView, range: { from: options.from ?? null, to: options.to ?? null } };
}
