/**
 * Configuration cells: the miner's compact form of a training set. Touches with the same campaign
 * and the same configuration (the conditions they carry) fall into one cell with its touches n and
 * conversions y, so subgroup discovery (subgroup-discovery.ts) works over cells, never over rows.
 * The encoder takes one example at a time: a set held in memory and a set streamed from its file
 * (a set bigger than memory, held only as a sample) give the same cells when read in the same
 * order, and memory grows with the cells, clients, campaigns and conditions, not with the rows.
 */
import type { TrainingExample } from '../../features/training-set.ts';
import { conditionValue, type MiningAttribute } from './configuration.ts';

export interface Cells {
  client: Int32Array;
  campaign: Int32Array;
  /** Offsets into `conds` (cells + 1). */
  start: Int32Array;
  /** Each cell's condition ids, sorted (subgroup-keys.ts caps the vocabulary far below 2¹⁶). */
  conds: Uint16Array;
  n: Float64Array;
  y: Float64Array;
  count: number;
}

export interface EncodedCells {
  cells: Cells;
  clientIds: string[];
  /** Campaign ids (within their client) by dense campaign index. */
  campaignIds: string[];
  /** Each campaign's client, and its industry and channel as first seen. */
  campaignInfo: { client: number; industry?: string; channel?: string }[];
  /** Condition id → its key (role or feature) and value. */
  condKey: string[];
  condValue: string[];
  /** Touches encoded. */
  touches: number;
}

/** Touches → cells (campaign × configuration), one at a time: add() every example, then finish() once. */
export class CellEncoder {
  private readonly clientIndex = new Map<string, number>();
  private readonly campaignIndex = new Map<string, number>();
  private readonly campaignInfo: EncodedCells['campaignInfo'] = [];
  private readonly condIndex: Map<string, number>[];
  private readonly condKey: string[] = [];
  private readonly condValue: string[] = [];
  private readonly cellIndex = new Map<string, number>();
  private readonly client: number[] = [];
  private readonly campaign: number[] = [];
  private readonly condLists: number[][] = [];
  private readonly n: number[] = [];
  private readonly y: number[] = [];
  private readonly industryAt: number;
  private readonly channelAt: number;
  private readonly ids: number[] = [];
  private touches = 0;

  constructor(private readonly attributes: readonly MiningAttribute[]) {
    this.condIndex = attributes.map(() => new Map<string, number>());
    this.industryAt = attributes.findIndex((a) => a.key === 'industry');
    this.channelAt = attributes.findIndex((a) => a.key === 'channel');
  }

  /** Counts one touch into its cell. */
  add(e: TrainingExample): void {
    const ci = this.clientOf(e.client_id);
    const pi = this.campaignOf(e, ci);
    const ids = this.conditionsOf(e);
    const cellKey = `${pi}|${ids.join(',')}`;
    let cell = this.cellIndex.get(cellKey);
    if (cell === undefined) {
      cell = this.client.length;
      this.cellIndex.set(cellKey, cell);
      this.client.push(ci);
      this.campaign.push(pi);
      this.condLists.push([...ids]);
      this.n.push(0);
      this.y.push(0);
    }
    this.n[cell] = (this.n[cell] as number) + 1;
    this.y[cell] = (this.y[cell] as number) + e.label;
    this.touches++;
  }

  /** The cells in typed arrays and the vocabulary (call once, after the last add). */
  finish(): EncodedCells {
    const { condLists } = this;
    const start = new Int32Array(condLists.length + 1);
    condLists.forEach((c, i) => { start[i + 1] = (start[i] as number) + c.length; });
    const conds = new Uint16Array(start[condLists.length] as number);
    condLists.forEach((c, i) => conds.set(c, start[i] as number));
    return {
      cells: { client: Int32Array.from(this.client), campaign: Int32Array.from(this.campaign), start, conds, n: Float64Array.from(this.n), y: Float64Array.from(this.y), count: this.client.length },
      clientIds: [...this.clientIndex.keys()],
      campaignIds: [...this.campaignIndex.keys()].map((k) => k.slice(k.indexOf('\u0000') + 1)),
      campaignInfo: this.campaignInfo,
      condKey: this.condKey,
      condValue: this.condValue,
      touches: this.touches,
    };
  }

  private clientOf(id: string): number {
    let ci = this.clientIndex.get(id);
    if (ci === undefined) {
      ci = this.clientIndex.size;
      this.clientIndex.set(id, ci);
    }
    return ci;
  }

  private campaignOf(e: TrainingExample, client: number): number {
    const key = `${e.client_id}\u0000${e.campaign_id}`;
    let pi = this.campaignIndex.get(key);
    if (pi === undefined) {
      pi = this.campaignIndex.size;
      this.campaignIndex.set(key, pi);
      const industry = this.industryAt >= 0 ? conditionValue(e.features[(this.attributes[this.industryAt] as MiningAttribute).feature]) : undefined;
      const channel = this.channelAt >= 0 ? conditionValue(e.features[(this.attributes[this.channelAt] as MiningAttribute).feature]) : undefined;
      this.campaignInfo.push({ client, ...(industry ? { industry } : {}), ...(channel ? { channel } : {}) });
    }
    return pi;
  }

  /** The example's condition ids, sorted (a reused buffer: copy it to keep it). */
  private conditionsOf(e: TrainingExample): number[] {
    const { ids, attributes } = this;
    ids.length = 0;
    for (let a = 0; a < attributes.length; a++) {
      const v = conditionValue(e.features[(attributes[a] as MiningAttribute).feature]);
      if (v === undefined) continue;
      const values = this.condIndex[a] as Map<string, number>;
      let id = values.get(v);
      if (id === undefined) {
        id = this.condKey.length;
        values.set(v, id);
        this.condKey.push((attributes[a] as MiningAttribute).key);
        this.condValue.push(v);
      }
      ids.push(id);
    }
    return ids.sort((a, b) => a - b);
  }
}

/** The cells of examples held in memory. */
export function encodeCells(examples: Iterable<TrainingExample>, attributes: readonly MiningAttribute[]): EncodedCells {
  const encoder = new CellEncoder(attributes);
  for (const e of examples) encoder.add(e);
  return encoder.finish();
}

/**
 * The cells of examples read one at a time (a training set streamed from its file).
 * @param onTouches - called with the touches encoded so far, every `every` touches.
 */
export async function encodeCellsFrom(examples: AsyncIterable<TrainingExample>, attributes: readonly MiningAttribute[], onTouches?: (done: number) => void, every = 100_000): Promise<EncodedCells> {
  const encoder = new CellEncoder(attributes);
  let done = 0;
  for await (const e of examples) {
    encoder.add(e);
    if (++done % every === 0) onTouches?.(done);
  }
  onTouches?.(done);
  return encoder.finish();
}
