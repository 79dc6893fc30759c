/**
 * The serving model and pattern index, hot-swappable. A request takes a lease on the current
 * Scorer and returns it when done; a newly promoted champion is loaded beside the old one, swapped
 * in atomically, and the old Scorer is closed once its last in-flight lease is returned.
 */
import { AlmanacError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Scorer } from '../models/inference/scorer.ts';
import type { ModelRegistry, ModelVersion } from '../models/registry/model-registry.ts';

interface Slot {
  scorer: Scorer;
  model: ModelVersion;
  leases: number;
  retired: boolean;
}

export interface ScorerLease {
  scorer: Scorer;
  model: ModelVersion;
  release(): void;
}

/** One lease (a class, not a closure per request); releasing twice counts once. */
class Lease implements ScorerLease {
  readonly scorer: Scorer;
  readonly model: ModelVersion;
  private released = false;

  constructor(private readonly slot: Slot, private readonly holder: ChampionHolder) {
    this.scorer = slot.scorer;
    this.model = slot.model;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.holder.returned(this.slot);
  }
}

export class ChampionHolder {
  private slot: Slot | undefined;
  private revision: string | undefined;
  private reloading: Promise<boolean> | undefined;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly load: (version: ModelVersion) => Promise<Scorer>,
    private readonly log: Logger,
  ) {}

  get version(): number | undefined {
    return this.slot?.model.version;
  }

  get model(): ModelVersion | undefined {
    return this.slot?.model;
  }

  /** A lease on the current champion. @throws ALMANAC_ERR_MODEL_NOT_READY when none is loaded. */
  acquire(): ScorerLease {
    const slot = this.slot;
    if (!slot) throw new AlmanacError('ALMANAC_ERR_MODEL_NOT_READY', 'no champion model is loaded; train and promote one (`almanac train`)');
    slot.leases++;
    return new Lease(slot, this);
  }

  /** A lease on `slot` was returned: a retired slot is closed with its last lease. */
  returned(slot: Slot): void {
    slot.leases--;
    if (slot.retired && slot.leases === 0) void this.closeSlot(slot);
  }

  /**
   * Loads the champion when the registry's revision changed (or on first call). Concurrent calls
   * share one reload. @returns true when a new model was swapped in.
   */
  refresh(): Promise<boolean> {
    this.reloading ??= this.reload().finally(() => { this.reloading = undefined; });
    return this.reloading;
  }

  private async reload(): Promise<boolean> {
    const revision = await this.registry.revision();
    if (revision === this.revision && this.slot) return false;
    const champion = await this.registry.resolve('champion');
    this.revision = revision;
    if (!champion || champion.version === this.slot?.model.version) return false;
    const scorer = await this.load(champion);
    const previous = this.slot;
    this.slot = { scorer, model: champion, leases: 0, retired: false };
    this.log.info({ model_version: champion.version, previous: previous?.model.version }, 'champion model loaded');
    if (previous) {
      previous.retired = true;
      if (previous.leases === 0) await this.closeSlot(previous);
    }
    return true;
  }

  private async closeSlot(slot: Slot): Promise<void> {
    try {
      await slot.scorer.close();
    } catch (e) {
      this.log.warn({ err: (e as Error).message, model_version: slot.model.version }, 'closing a retired scorer failed');
    }
  }

  async close(): Promise<void> {
    const slot = this.slot;
    this.slot = undefined;
    if (slot) await this.closeSlot(slot);
  }
}
