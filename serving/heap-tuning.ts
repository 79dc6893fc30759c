/**
 * V8 tuning of the serving process: allocation-site pretenuring off.
 *
 * V8 allocates the objects of an allocation site straight in the old generation once a scavenge
 * finds nearly all of them alive (pretenuring). Serving a 1M-pattern index, sites of a search's
 * short-lived objects were tenured (the trace shows sites at a ratio of 1.0). Their dead objects
 * then stayed in old space until a full collection, and they kept the young hits and candidates
 * they point to alive through every scavenge. Measured on the 1M bench home at 100 req/s
 * (`tmp-debug/tail.ts` with `--trace-gc-nvp`):
 *   - with pretenuring on: each scavenge copied ~1.9 MB and promoted ~1.7 MB, and lasted 4.0 ms on average;
 *   - with it off: 0.41 MB copied, 0.35 MB promoted, 1.5–1.7 ms on average;
 *   - the server's p99 went from 8.8 to 6.8–7.4 ms, and the client's from 13.5 to 8.7–8.8 ms.
 * The small index never showed the long scavenges (1.7 ms, 0.41 MB), so the cost is in pretenuring, not in the work.
 * A server's long-lived objects (its caches) reach the old generation through scavenges as before.
 *
 * Set at run time as the server starts, before its dependencies load: that is how the figures above
 * were measured. Setting it again is harmless. Sites V8 tenured before it (in a process that ran a
 * pipeline first, as `almanac demo` does) may stay tenured.
 */
import v8 from 'node:v8';

export function tuneHeapForServing(): void {
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
}
