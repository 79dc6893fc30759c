/**
 * Inverted lists of the string and string[] metadata columns: dictionary code → the labels holding
 * it (label-lists.ts: typed arrays, no Set per code). A column's lists are built on the first
 * selective filter over it (one pass over the column), then kept in step with every write, so a
 * selective eq / in / contains_any filter enumerates its few candidate labels instead of scanning
 * the collection.
 */
import { LabelLists } from './label-lists.ts';
import type { Column } from './metadata-columns.ts';

export class LabelPostings {
  private readonly built = new Map<string, LabelLists>();

  /** The lists of a string / string[] column (built now if needed); undefined for other types. */
  of(col: Column, end: number): LabelLists | undefined {
    if (col.type !== 'string' && col.type !== 'string[]') return undefined;
    let lists = this.built.get(col.name);
    if (lists === undefined) {
      const made = new LabelLists(col.type === 'string');
      for (let label = 0; label < end; label++) forEachCode(col, label, (code) => made.add(code, label));
      this.built.set(col.name, made);
      lists = made;
    }
    return lists;
  }

  /** Call before a label's cell of `col` changes (or is cleared). */
  beforeWrite(col: Column, label: number): void {
    const lists = this.built.get(col.name);
    if (lists !== undefined) forEachCode(col, label, (code) => lists.remove(code, label));
  }

  /** Call after a label's cell of `col` was written. */
  afterWrite(col: Column, label: number): void {
    const lists = this.built.get(col.name);
    if (lists !== undefined) forEachCode(col, label, (code) => lists.add(code, label));
  }

  clear(): void {
    this.built.clear();
  }
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
