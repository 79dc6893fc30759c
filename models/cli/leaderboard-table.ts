/** The leaderboard of a training run as text lines (`almanac train`, `almanac models leaderboard`). */
import type { LeaderboardEntry } from '../registry/model-registry.ts';
import { fmt } from './cli-options.ts';

/**
 * One header line and one line per candidate, best validation first: the served one is marked
 * `*`; holdout figures of a family's refitted best are marked `(refit)`.
 */
export function leaderboardLines(entries: readonly LeaderboardEntry[]): string[] {
  const width = Math.max(9, ...entries.map((e) => e.candidate.length));
  const rows = [...entries].sort((a, b) => b.validation.roc_auc - a.validation.roc_auc);
  return [
    `  ${'candidate'.padEnd(width)}  val_auc  hold_auc hold_pr  hold_ll  fit_s`,
    ...rows.map((e) => `${e.served ? '*' : ' '} ${e.candidate.padEnd(width)}  ${fmt(e.validation.roc_auc)}   ${fmt(e.holdout.roc_auc)}   ${fmt(e.holdout.pr_auc)}   ${fmt(e.holdout.log_loss)}   ${e.fit_seconds.toFixed(1)}${e.refit ? ' (refit)' : ''}`),
  ];
}
