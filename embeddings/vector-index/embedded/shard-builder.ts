/**
 * The parallel build of an embedded collection's shards: each shard's new points are added to its
 * hnswlib graph in a worker thread of its own (shard-build-worker.mjs), so a large upsert uses every
 * core and leaves the event loop free. A graph goes to its worker as a file and comes back as one
 * (hnswlib-node has no other way to move a graph between threads); the files are temporary and
 * removed whatever happens.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import hnswlib from 'hnswlib-node';
import type { CollectionSpec } from '../vector-index.ts';

export interface ShardJob {
  /** The shard's current graph (undefined or empty: a new graph). */
  graph: hnswlib.HierarchicalNSW | undefined;
  /** Element capacity the built graph needs. */
  capacity: number;
  /** Labels to add (or update) and their vectors, labels.length × dimension. */
  labels: Float64Array;
  vectors: Float32Array;
}

export interface GraphParams {
  m: number;
  efConstruction: number;
  randomSeed: number;
}

const WORKER = new URL('./shard-build-worker.mjs', import.meta.url);

/**
 * Builds every job's graph concurrently, one worker thread each. Resolves to the new graphs in job
 * order; the given graphs are left as they were (a failure changes nothing). A failure rejects only
 * once every job has settled, so no worker is left running, no file is written after the clean-up
 * and no write of a given graph is still in flight when the caller adds to it instead.
 */
export async function buildShards(spec: CollectionSpec, params: GraphParams, jobs: ShardJob[]): Promise<hnswlib.HierarchicalNSW[]> {
  const stem = path.join(os.tmpdir(), `almanac-shard-${process.pid}-${randomUUID()}`);
  const files: string[] = [];
  try {
    const settled = await Promise.allSettled(jobs.map(async (job, i) => {
      const input = job.graph !== undefined && job.graph.getCurrentCount() > 0 ? `${stem}-${i}.in.bin` : null;
      const output = `${stem}-${i}.out.bin`;
      if (input !== null) {
        files.push(input);
        await (job.graph as hnswlib.HierarchicalNSW).writeIndex(input);
      }
      files.push(output);
      await runWorker({
        metric: spec.metric, dimension: spec.dimension, input, output, capacity: job.capacity,
        m: params.m, efConstruction: params.efConstruction, randomSeed: params.randomSeed, labels: job.labels, vectors: job.vectors,
      });
      const graph = new hnswlib.HierarchicalNSW(spec.metric, spec.dimension);
      await graph.readIndex(output);
      return graph;
    }));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    const graphs = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (failed === undefined) return graphs;
    // the graphs built are not used: free their native memory now
    for (const graph of graphs) releaseGraph(graph, params);
    throw failed.reason;
  } finally {
    await Promise.all(files.map((f) => rm(f, { force: true })));
  }
}

/**
 * Frees a graph's native memory now (initIndex deletes the graph it held, leaving an empty one):
 * V8 does not count that memory, so a dropped wrapper could keep hundreds of MB alive until a late GC.
 */
export function releaseGraph(graph: hnswlib.HierarchicalNSW, params: Pick<GraphParams, 'm' | 'efConstruction'>): void {
  graph.initIndex({ maxElements: 1, m: params.m, efConstruction: params.efConstruction });
}

function runWorker(workerData: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData });
    let done = false;
    worker.once('message', () => {
      done = true;
      resolve();
    });
    worker.once('error', (e) => {
      done = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`shard build worker exited with code ${code} before it finished`));
    });
  });
}
