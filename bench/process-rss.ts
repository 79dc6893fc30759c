/**
 * This process's resident memory from Linux's /proc (the memory benchmarks' per-step peaks):
 * VmRSS now, VmHWM the high-water mark, which `resetRssPeak` starts afresh at the current RSS.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** VmRSS or VmHWM in KB; NaN where /proc cannot be read. */
export function rssKb(field: 'VmRSS' | 'VmHWM'): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

/** Starts a new high-water mark at the current RSS (`5` to /proc/self/clear_refs); false where the kernel does not allow it. */
export function resetRssPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}
