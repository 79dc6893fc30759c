/** The code version recorded in model lineage: the git revision when available, else the package version. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function codeVersion(): string {
  if (cached) return cached;
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  try {
    const rev = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: repo, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'models', 'features'], { cwd: repo, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    cached = `git:${rev}${dirty ? '+dirty' : ''}`;
  } catch {
    const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version?: string };
    cached = `package:${pkg.version ?? 'unknown'}`;
  }
  return cached;
}
