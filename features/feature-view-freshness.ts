/**
 * How fresh each feature view is, as the stream job last saved it: the latest final window end
 * per view (its emitted frontier in the stream checkpoint, `<home>/features/checkpoints/<group>.checkpoint.jsonl`,
 * times the view's bucket step). The checkpoint is re-read only when its file changes.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { homePath, type AlmanacConfig } from '../core/config.ts';
import { planViews } from './aggregation/view-plan.ts';
import { CHECKPOINT_SUFFIX, checkpointPath, loadCheckpoint } from './jobs/stream-checkpoint.ts';
import { FEATURE_VIEWS } from './views/index.ts';

/** The stream job's default consumer group (features/jobs/stream-job.ts uses this one). */
export const DEFAULT_STREAM_GROUP = 'almanac-features';

export interface ViewFreshness {
  /** Latest final window end (epoch ms), undefined before the stream emitted a row of the view. */
  lastWindowEnd: number | undefined;
  /** When the checkpoint was saved (epoch ms). */
  savedAt: number;
  /** The log positions (next offset per partition) the checkpoint covers. */
  offsets: Record<string, number>;
}

const STEP_MS = new Map(planViews(FEATURE_VIEWS).map((p) => [p.view.name, p.stepMs]));
const cache = new Map<string, { stamp: string; freshness: Map<string, ViewFreshness> }>();

/** Per view, from the group's checkpoint; an empty map when the stream has not checkpointed. */
export async function featureViewFreshness(config: AlmanacConfig, group = DEFAULT_STREAM_GROUP): Promise<Map<string, ViewFreshness>> {
  const file = checkpointPath(config, group);
  if (!existsSync(file)) return new Map();
  const st = statSync(file);
  const stamp = `${st.mtimeMs}:${st.size}`;
  const held = cache.get(file);
  if (held?.stamp === stamp) return held.freshness;
  const cp = await loadCheckpoint(config, group);
  const freshness = new Map<string, ViewFreshness>();
  if (cp !== undefined) {
    for (const [view, state] of Object.entries(cp.engine.viewStates)) {
      const step = STEP_MS.get(view);
      const frontier = state.frontier;
      freshness.set(view, { lastWindowEnd: step !== undefined && frontier !== null && Number.isFinite(frontier) ? frontier * step : undefined, savedAt: Date.parse(cp.savedAt), offsets: cp.offsets });
    }
  }
  cache.set(file, { stamp, freshness });
  return freshness;
}

/** The consumer groups the stream job has checkpointed in this home, the default one always, sorted. */
export async function streamGroups(config: AlmanacConfig): Promise<string[]> {
  const names = await readdir(homePath(config, 'features', 'checkpoints')).catch(() => [] as string[]);
  const groups = new Set([DEFAULT_STREAM_GROUP]);
  for (const n of names) if (n.endsWith(CHECKPOINT_SUFFIX)) groups.add(decodeURIComponent(n.slice(0, -CHECKPOINT_SUFFIX.length)));
  return [...groups].sort();
}
