/**
 * The demo's live stream while it serves: new simulated events (pipelines/simulator/live-events.ts)
 * appended through ingest's append path every `tickMs`, and the stream feature job running beside
 * them (same consumer group as the demo's catch-up), so the online features, the event log and the
 * console move. `stop()` ends both cleanly: appending stops first, then the stream job reads every
 * event appended, commits and stops; the log is closed.
 */
import type { AlmanacConfig } from '../core/config.ts';
import type { SimulationOptions } from '../pipelines/simulator/simulation-options.ts';
import type { StreamJobReport } from '../features/jobs/stream-job.ts';

export interface LiveDemoOptions {
  /** The world the demo simulated (its seed and end decide the live events). */
  world: SimulationOptions;
  /** Mean live touches per second (default 2; clicks and conversions come on top). */
  touchesPerSecond?: number;
  /** Epoch ms now (default Date.now); tests shift it to place the world's end before a window closes. */
  clock?: () => number;
  /** How often due events are appended (ms, default 1000). */
  tickMs?: number;
  /** Called with each append failure (appending goes on) and a stream-job failure; default: one line on stderr. */
  onError?: (e: unknown) => void;
}

export interface LiveDemoReport {
  /** Live events appended (new to the log). */
  appended: number;
  /** The stream job's report (records read while live, rows written). */
  stream: StreamJobReport;
}

export interface LiveDemo {
  /** Live events appended so far. */
  appended(): number;
  /** Stops appending, lets the stream job commit its last batch, closes the log. */
  stop(): Promise<LiveDemoReport>;
}

/**
 * Starts the live stream and the stream feature job.
 * @throws AlmanacError ALMANAC_ERR_INPUT_INVALID for bad world options or rate; store errors of the event log.
 */
export async function startLiveDemo(config: AlmanacConfig, options: LiveDemoOptions): Promise<LiveDemo> {
  const [{ LiveEvents }, { createEventLog }, { appendEvents, ensureEventsTopic }, { runStreamJob }] = await Promise.all([
    import('../pipelines/simulator/live-events.ts'),
    import('../pipelines/event-log/create-event-log.ts'),
    import('../pipelines/ingest/ingest-events.ts'),
    import('../features/jobs/stream-job.ts'),
  ]);
  const clock = options.clock ?? Date.now;
  const tickMs = options.tickMs ?? 1000;
  const onError = options.onError ?? ((e: unknown) => process.stderr.write(`almanac demo: live stream: ${(e as Error).message}\n`));
  const live = new LiveEvents(options.world, { startedAt: clock(), ...(options.touchesPerSecond === undefined ? {} : { touchesPerSecond: options.touchesPerSecond }) });
  const log = await createEventLog(config);
  await log.init();
  await ensureEventsTopic(log, config);
  const stopping = new AbortController();
  const streamStopping = new AbortController();
  const stream = runStreamJob(config, { signal: streamStopping.signal, drainOnAbort: true, quiet: true });
  stream.catch(onError); // reported at once; stop() rethrows it
  let appended = 0;
  const appending = (async () => {
    while (!stopping.signal.aborted) {
      await sleep(tickMs, stopping.signal);
      const events = live.due(clock());
      if (events.length === 0) continue;
      try {
        appended += (await appendEvents(log, events)).accepted;
      } catch (e) {
        onError(e);
      }
    }
  })();
  return {
    appended: () => appended,
    async stop() {
      stopping.abort();
      try {
        await appending;
        streamStopping.abort(); // after the last append: the job reads on to it
        return { appended, stream: await stream };
      } finally {
        await log.close();
      }
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
