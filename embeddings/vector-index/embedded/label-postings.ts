/**
 * Inverted lists of the string and string[] metadata columns: dictionary code → the labels holding
 * it. A column's lists are built on the first selective filter over it (one pass over the column),
 * then kept in step with every write, so a selective eq / in / contains_any filter enumerates its
 * few candidate labels instead of scanning the collection.
 */
import type { Column } from './metadata-columns.ts';

export type Postings = Map<number, Set<number>>;

export class LabelPostings {
  private readonly built = new Map<string, Postings>();

  /** The lists of a string / string[] column (built now if needed); undefined for other types. */
  of(col: Column, end: number): Postings | undefined {
    if (col.type !== 'string' && col.type !== 'string[]') return undefined;
    let lists = this.built.get(col.name);
    if (lists === undefined) {
      lists = new Map();
      for (let label = 0; label < end; label++) forEachCode(col, label, (code) => add(lists as Postings, code, label));
      this.built.set(col.name, lists);
    }
    return lists;
  }

  /** Call before a label's cell of `col` changes (or is cleared). */
  beforeWrite(col: Column, label: number): void {
    const lists = this.built.get(col.name);
    if (lists !== undefined) forEachCode(col, label, (code) => lists.get(code)?.delete(label));
  }

  /** Call after a label's cell of `col` was written. */
  afterWrite(col: Column, label: number): void {
    const lists = this.built.get(col.name);
    if (lists !== undefined) forEachCode(col, label, (code) => add(lists, code, label));
  }

  clear(): void {
    this.built.clear();
  }
}

function add(lists: Postings, code: number, label: number): void {
  let set = lists.get(code);
  if (set === undefined) {
    set = new Set();
    lists.set(code, set);
  }
  set.add(label);
}

function forEachCode(col: Column, label: number, fn: (code: number) => void): void {
  if (col.type === 'string') {
    const code = col.codes[label] ?? -1;
    if (code >= 0) fn(code);
  } else if (col.type === 'string[]') {
    const list = col.lists[label];
    if (list !== undefined) for (let j = 0; j < list.length; j++) fn(list[j] as number);
  }
}
