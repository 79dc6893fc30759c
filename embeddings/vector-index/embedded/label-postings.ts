/**
 * Inverted lists of the string and string[] metadata columns: dictionary code → the labels holding
 * it (label-lists.ts: typed arrays, no Set per code). A column's lists are built on the first
 * selective filter over it (one pass over the column; over a large column, a slice between
 * searches), then kept in step with every write, so a selective eq / in / contains_any filter
 * enumerates its few candidate labels instead of scanning the collection.
 */
import { LabelLists } from './label-lists.ts';
import type { Column } from './metadata-columns.ts';
import { finish, runBetweenTurns, type SlicedWork } from './sliced-work.ts';

/** Columns of more labels than this get their lists a slice at a time, between searches. */
const AT_ONCE_MAX = 65_536;
/** Labels a list build takes per turn of the event loop (a few ms of a 1M-label column's ~260 ms at once). */
const BUILD_SLICE = 16_384;

interface Build {
  readonly lists: LabelLists;
  /** Labels below `next` are in the lists; so are those at or above `end` (written after the build started). */
  next: number;
  readonly end: number;
}

export class LabelPostings {
  private readonly built = new Map<string, LabelLists>();
  private readonly building = new Map<string, Build>();

  /**
   * The lists of a string / string[] column; undefined for other types, and while a large
   * column's lists are being built (started by the first call; the caller does without them).
   */
  of(col: Column, end: number): LabelLists | undefined {
    if (col.type !== 'string' && col.type !== 'string[]') return undefined;
    const lists = this.built.get(col.name);
    if (lists !== undefined) return lists;
    if (end <= AT_ONCE_MAX) {
      const made = finish(buildInSlices(col, { lists: new LabelLists(col.type === 'string'), next: 0, end }));
      this.built.set(col.name, made);
      return made;
    }
    if (!this.building.has(col.name)) this.buildLater(col, end);
    return undefined;
  }

  /** Call before a label's cell of `col` changes (or is cleared). */
  beforeWrite(col: Column, label: number): void {
    const lists = this.current(col.name, label);
    if (lists !== undefined) forEachCode(col, label, (code) => lists.remove(code, label));
  }

  /** Call after a label's cell of `col` was written. */
  afterWrite(col: Column, label: number): void {
    const lists = this.current(col.name, label);
    if (lists !== undefined) forEachCode(col, label, (code) => lists.add(code, label));
  }

  clear(): void {
    this.built.clear();
    this.building.clear();
  }

  /** The lists a write to `label` must be applied to: built ones, or a build's that has passed the label. */
  private current(name: string, label: number): LabelLists | undefined {
    const lists = this.built.get(name);
    if (lists !== undefined) return lists;
    const build = this.building.get(name);
    return build !== undefined && (label < build.next || label >= build.end) ? build.lists : undefined;
  }

  private buildLater(col: Column, end: number): void {
    const build: Build = { lists: new LabelLists(col.type === 'string'), next: 0, end };
    this.building.set(col.name, build);
    runBetweenTurns(buildInSlices(col, build), () => this.building.get(col.name) === build, (lists) => {
      this.building.delete(col.name);
      this.built.set(col.name, lists);
    });
  }
}

/** Adds the cells of labels build.next ≤ label < build.end to the build's lists, BUILD_SLICE labels a step. */
function* buildInSlices(col: Column, build: Build): SlicedWork<LabelLists> {
  while (build.next < build.end) {
    const to = Math.min(build.end, build.next + BUILD_SLICE);
    for (let label = build.next; label < to; label++) forEachCode(col, label, (code) => build.lists.add(code, label));
    build.next = to;
    if (to < build.end) yield;
  }
  return build.lists;
}

function forEachCode(col: Column, label: number, fn: (code: number) => void): void {
  if (col.type === 'string') {
    const code = col.codes[label] ?? -1;
    if (code >= 0) fn(code);
  } else if (col.type === 'string[]') {
    const list = col.lists.at(label);
    if (list === undefined) return;
    const seen = list.length > 1 ? new Set<number>() : undefined; // a list may repeat a value: one posting per code
    for (let j = 0; j < list.length; j++) {
      const code = list[j] as number;
      if (seen !== undefined) {
        if (seen.has(code)) continue;
        seen.add(code);
      }
      fn(code);
    }
  }
}
