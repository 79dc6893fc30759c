/**
 * Vitest global setup: every suite's temp folders (os.tmpdir(), which reads TMPDIR) go under one
 * folder per run, removed when the run ends — suites make hundreds of homes (mkdtemp) and most of
 * them are never removed by the suite itself. Child processes the suites spawn inherit TMPDIR.
 * ALMANAC_KEEP_TEST_TMP=1 keeps the folder (its path is printed) to look into after a run.
 * The folder the run started with stays in ALMANAC_TEST_OUTER_TMPDIR, for output meant to outlive
 * the run (the console suite's screenshots).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const outer = process.env.ALMANAC_TEST_OUTER_TMPDIR ?? os.tmpdir();
  const root = mkdtempSync(path.join(outer, 'almanac-test-run-'));
  process.env.ALMANAC_TEST_OUTER_TMPDIR = outer;
  process.env.TMPDIR = root;
  return () => {
    if (process.env.ALMANAC_KEEP_TEST_TMP) process.stderr.write(`test temp folders kept in ${root}\n`);
    else rmSync(root, { recursive: true, force: true });
  };
}
