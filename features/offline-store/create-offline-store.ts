import type { AlmanacConfig } from '../../core/config.ts';
import type { OfflineStore } from './offline-store.ts';
import { createParquetOfflineStore } from './parquet/parquet-offline-store.ts';

/**
 * The offline store (Parquet files under `<home>/offline`, queried with DuckDB), initialised. The one
 * constructor callers use: nothing outside this folder builds an adapter or reaches into one.
 */
export async function createOfflineStore(config: AlmanacConfig): Promise<OfflineStore> {
  const store = createParquetOfflineStore(config);
  await store.init();
  return store;
}
