/**
 * The scan of 8-bit vector codes that inverted-lists.ts runs per list, in WebAssembly SIMD
 * (code-scan.wat): 16 dimensions per step, ~4–5 ns per 64-dimension row in cache where the same loop in
 * JavaScript takes ~50–110 ns (V8 does not vectorise it). The codes, the query and the scores live
 * in the module's own memory, which grows as the lists do (a growth detaches the views, so they are
 * taken again after every reserve).
 */
import { CODE_SCAN_WASM } from './code-scan-wasm.ts';

const PAGE = 65_536;
/** Bytes before the codes: the query's weights (i16, up to QUERY_MAX dimensions). */
const QUERY_MAX = 4096;
/** The most dimensions a scanner takes (a collection of more is served by its graphs). */
export const CODE_SCAN_DIMENSION_MAX = QUERY_MAX;
const HEADER = QUERY_MAX * 2;
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

/** The part of the WebAssembly API used here (the project compiles without the DOM library that declares it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | undefined;
const scanModule = (): object => (compiled ??= new wasm.Module(Buffer.from(CODE_SCAN_WASM, 'base64')));

/** Row width in bytes for `dimension` codes: a multiple of 16, zero-padded. */
export const strideFor = (dimension: number): number => Math.ceil(dimension / 16) * 16;

/** The largest weight magnitude for rows of `stride` codes: Σ |code·weight| ≤ stride · 128 · max stays within i32. */
export const weightMaxFor = (stride: number): number => Math.min(32_767, Math.floor((2 ** 31 - 1) / (stride * 128)));

export class CodeScanner {
  readonly stride: number;
  private readonly memory: WasmMemory;
  private readonly scoresFn: (codes: number, count: number, stride: number, query: number, out: number) => void;
  private readonly aboveFn: (codes: number, count: number, stride: number, query: number, threshold: number, outIndex: number, outScore: number) => number;
  private readonly above64Fn: (codes: number, count: number, query: number, threshold: number, outIndex: number, outScore: number) => number;
  /** Rows reserved. */
  rows = 0;
  private outRows = 0;
  /** Row codes, row-major, `stride` bytes each. */
  codes = new Int8Array(0);
  /** The query's weights, `stride` of them. */
  query = new Int16Array(0);
  /** Scores of the last `score` call, by row from its start; of the last `above` call, its kept rows' in order. */
  out = new Int32Array(0);
  /** Rows (from its start) the last `above` call kept, in order. */
  kept = new Int32Array(0);

  constructor(dimension: number) {
    if (dimension > QUERY_MAX) throw new Error(`code scan: dimension ${dimension} is above ${QUERY_MAX}`);
    this.stride = strideFor(dimension);
    this.memory = new wasm.Memory({ initial: 1 });
    const instance = new wasm.Instance(scanModule(), { env: { memory: this.memory } });
    this.scoresFn = instance.exports.scores as CodeScanner['scoresFn'];
    this.aboveFn = instance.exports.above as CodeScanner['aboveFn'];
    this.above64Fn = instance.exports.above64 as CodeScanner['above64Fn'];
    this.reserve(0, 0);
  }

  /** Room for `rows` rows and for scoring `outRows` at once. The codes are not kept: the caller writes them after. */
  reserve(rows: number, outRows: number): void {
    const need = HEADER + outRows * 8 + rows * this.stride;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE));
    this.rows = rows;
    this.outRows = outRows;
    this.query = new Int16Array(this.memory.buffer, 0, this.stride);
    this.out = new Int32Array(this.memory.buffer, HEADER, outRows);
    this.kept = new Int32Array(this.memory.buffer, HEADER + outRows * 4, outRows);
    this.codes = new Int8Array(this.memory.buffer, HEADER + outRows * 8, rows * this.stride);
  }

  /** Scores rows start ≤ row < start + count (count ≤ the reserved outRows) into `out[0 .. count)`. */
  score(start: number, count: number): void {
    this.checkRows(start, count);
    this.scoresFn(this.codes.byteOffset + start * this.stride, count, this.stride, 0, this.out.byteOffset);
  }

  /**
   * Scores the same rows and keeps those scoring above `threshold` (−∞ keeps all): returns how many,
   * their rows (from `start`) in `kept[0 .. n)` and their scores in `out[0 .. n)`, in row order. A
   * scan wants only the few rows that could enter its best, and the test runs in the same SIMD loop.
   */
  above(start: number, count: number, threshold: number): number {
    this.checkRows(start, count);
    const t = threshold < I32_MIN ? I32_MIN : threshold > I32_MAX ? I32_MAX : Math.floor(threshold);
    const codes = this.codes.byteOffset + start * this.stride;
    // rows of 64 bytes (49–64 dimensions) take the loop with the query in registers
    if (this.stride === 64) return this.above64Fn(codes, count, 0, t, this.kept.byteOffset, this.out.byteOffset);
    return this.aboveFn(codes, count, this.stride, 0, t, this.kept.byteOffset, this.out.byteOffset);
  }

  /** @throws when rows start ≤ row < start + count are not all reserved, or are more than one call may score. */
  private checkRows(start: number, count: number): void {
    if (count > this.outRows || start + count > this.rows) throw new Error(`code scan: rows ${start}+${count} outside ${this.rows} (score room ${this.outRows})`);
  }
}
