/**
 * The folders follow the data flow: core → pipelines → features → models → embeddings → serving | dags → app.
 * No source file imports a folder later in that flow (or a sibling of the same rank), and no module
 * imports itself through a circle. Read from the import statements of every source file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ORDER: Record<string, number> = { core: 0, pipelines: 1, features: 2, models: 3, embeddings: 4, serving: 5, dags: 5, app: 6 };

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|js|mjs)$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name)) out.push(rel);
  }
  return out;
}

/** Relative imports of a file (static, dynamic, type-only and re-exports), resolved to repo paths. */
function importsOf(file: string): string[] {
  const src = readFileSync(path.join(ROOT, file), 'utf8');
  const found: string[] = [];
  for (const m of src.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    found.push(path.normalize(path.join(path.dirname(file), m[1]!)));
  }
  return found;
}

const files = Object.keys(ORDER).flatMap((folder) => sourceFiles(folder));
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const top = (f: string) => f.split(path.sep)[0]!;

describe('import order', () => {
  it('reads every area', () => {
    expect(files.length).toBeGreaterThan(150);
    for (const folder of Object.keys(ORDER)) expect(files.some((f) => top(f) === folder), folder).toBe(true);
  });

  it('has no folder back-edge: nothing imports a folder later in the data flow', () => {
    const backEdges: string[] = [];
    for (const [from, targets] of graph) {
      for (const to of targets) {
        const a = top(from);
        const b = top(to);
        if (!(b in ORDER) || a === b) continue;
        if (ORDER[b]! >= ORDER[a]!) backEdges.push(`${from} -> ${to}`);
      }
    }
    expect(backEdges).toEqual([]);
  });

  it('imports only files that exist', () => {
    const missing = [...graph].flatMap(([from, targets]) =>
      targets.filter((t) => !graph.has(t) && !t.startsWith('node_modules')).map((t) => `${from} -> ${t}`));
    expect(missing).toEqual([]);
  });

  it('has no circle between modules', () => {
    // Tarjan's strongly connected components over the file graph.
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const circles: string[][] = [];
    const visit = (v: string): void => {
      idx.set(v, index); low.set(v, index); index++;
      stack.push(v); onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const scc: string[] = [];
        let w: string;
        do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
        if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(scc.sort());
      }
    };
    for (const f of graph.keys()) if (!idx.has(f)) visit(f);
    expect(circles).toEqual([]);
  });
});
