/**
 * Garbage-collection pauses of this process, from perf_hooks 'gc' entries: start() before a
 * measured phase, stop() after it; the longest pause and the total per kind (minor = scavenge,
 * major = mark-compact, incremental, weak callbacks).
 */
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export interface GcPauses {
  count: number;
  longestMs: number;
  longestKind: string;
  totalMs: number;
}

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

export class GcPauseRecorder {
  private entries: PerformanceEntry[] = [];
  private readonly observer = new PerformanceObserver((list) => this.entries.push(...list.getEntries()));

  start(): this {
    this.entries = [];
    this.observer.observe({ entryTypes: ['gc'] });
    return this;
  }

  /** Stops observing (after the pending entries are delivered) and summarises the pauses. */
  async stop(): Promise<GcPauses> {
    await new Promise((resolve) => setTimeout(resolve, 100)); // gc entries are delivered on a later turn of the event loop
    this.observer.disconnect();
    let longest: PerformanceEntry | undefined;
    let totalMs = 0;
    for (const e of this.entries) {
      totalMs += e.duration;
      if (longest === undefined || e.duration > longest.duration) longest = e;
    }
    const kind = (longest as unknown as { detail?: { kind?: number } } | undefined)?.detail?.kind;
    return { count: this.entries.length, longestMs: longest?.duration ?? 0, longestKind: kind === undefined ? '-' : (KINDS[kind] ?? String(kind)), totalMs };
  }
}

export const formatGc = (g: GcPauses): string => `longest GC pause ${g.longestMs.toFixed(1)} ms (${g.longestKind}), ${g.count} pauses, ${g.totalMs.toFixed(0)} ms in total`;
