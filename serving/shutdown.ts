/** How `almanac serve` stops: bounded, so a deployment's rollout or a test never waits on a stuck client library. */

/** What shutdown needs of a fastify instance. */
export interface Closable {
  close(): Promise<unknown>;
  log: { info(msg: string): void; warn(obj: object, msg: string): void };
}

/** Resolves at the first SIGINT or SIGTERM (and stops listening for them: a second one is shutDown's). */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done).off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done).on('SIGTERM', done);
  });
}

/** The longest a shutdown may take (requests draining up to 10 s, then each store up to 5 s) before the process exits anyway. */
export const SHUTDOWN_MS = 30_000;

/**
 * Stops the server after SIGINT/SIGTERM: requests in flight are answered, then the runtime and the
 * stores close (after `first`, e.g. the live demo's stream job). Bounded: past SHUTDOWN_MS, or at a second signal, the process exits at once (1);
 * a client library that keeps a socket or timer open after everything closed (a gRPC channel to an
 * engine that went away) does not keep it alive either: it exits 0 `lingerMs` later, logging what is open.
 */
export async function shutDown(app: Closable, metrics: Closable | undefined, o: { deadlineMs?: number; lingerMs?: number; first?: () => Promise<void> } = {}): Promise<void> {
  const [deadlineMs, lingerMs] = [o.deadlineMs ?? SHUTDOWN_MS, o.lingerMs ?? 1_000];
  const abandon = (why: string) => {
    process.stderr.write(`almanac: ${why}; exiting without waiting (still open: ${openResources()})\n`);
    process.exit(1);
  };
  const deadline = setTimeout(() => abandon(`shutdown did not finish within ${deadlineMs} ms`), deadlineMs);
  const again = () => abandon('a second signal during shutdown');
  process.once('SIGINT', again).once('SIGTERM', again);
  app.log.info('shutting down');
  try {
    await o.first?.();
  } finally {
    await metrics?.close();
    await app.close();
  }
  clearTimeout(deadline);
  setTimeout(() => {
    app.log.warn({ open: openResources() }, 'still open after the server and its stores closed; exiting');
    process.exit(0);
  }, lingerMs).unref();
}

function openResources(): string {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${r}×${n}`).join(', ') || 'nothing';
}
