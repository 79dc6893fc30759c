/** The ModelRegistry factory: the embedded, on-disk registry under `<home>/registry` (initialised). */
import type { AlmanacConfig } from '../../core/config.ts';
import type { ModelRegistry } from './model-registry.ts';

export async function createModelRegistry(config: AlmanacConfig): Promise<ModelRegistry> {
  const { createEmbeddedModelRegistry } = await import('./embedded/embedded-model-registry.ts');
  const registry = createEmbeddedModelRegistry(config);
  await registry.init();
  return registry;
}
