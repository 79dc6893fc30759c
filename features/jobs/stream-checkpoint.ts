/**
 * The stream job's checkpoint: the engine's open-window state together with the log positions it
 * covers, written atomically (`<home>/features/checkpoints/<group>.json`) BEFORE the group commits
 * those offsets. On restart the checkpoint is the truth: the job resumes from its positions with
 * its state; without one (or after a view definition changed) it replays the log from the start.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homePath, type AlmanacConfig } from '../../core/config.ts';
import { AlmanacError } from '../../core/errors.ts';
import type { EngineSnapshot } from '../aggregation/aggregation-engine.ts';
import { writeFileAtomic } from '../../core/atomic-file.ts';

export interface StreamCheckpoint {
  format: 1;
  group: string;
  topic: string;
  /** Next offset to read, per partition. */
  offsets: Record<string, number>;
  engine: EngineSnapshot;
  savedAt: string;
}

export function checkpointPath(config: AlmanacConfig, group: string): string {
  return homePath(config, 'features', 'checkpoints', `${encodeURIComponent(group)}.json`);
}

export async function loadCheckpoint(config: AlmanacConfig, group: string): Promise<StreamCheckpoint | undefined> {
  const file = checkpointPath(config, group);
  if (!existsSync(file)) return undefined;
  try {
    const cp = JSON.parse(await readFile(file, 'utf8')) as StreamCheckpoint;
    return cp.format === 1 && cp.group === group ? cp : undefined;
  } catch (e) {
    throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `stream checkpoint ${file} is unreadable (${(e as Error).message}); delete it to replay the log from the start`, { cause: e, retriable: false });
  }
}

export async function saveCheckpoint(config: AlmanacConfig, cp: Omit<StreamCheckpoint, 'format' | 'savedAt'>): Promise<void> {
  const full: StreamCheckpoint = { format: 1, ...cp, savedAt: new Date().toISOString() };
  await writeFileAtomic(checkpointPath(config, cp.group), JSON.stringify(full));
}
