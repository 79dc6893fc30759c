/**
 * `npm run build:console` (also run by `npm ci` / `npm install` through `prepare`): bundles the web
 * console (serving/console/src, Preact + uPlot) with esbuild into serving/console/dist — one script,
 * one stylesheet and the page, nothing loaded from another origin at run time. Prints the sizes.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const here = import.meta.dirname;
const out = path.join(here, 'dist');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: path.join(here, 'src', 'main.tsx') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  platform: 'browser',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(path.join(here, 'index.html'), path.join(out, 'index.html'));

let raw = 0;
let gz = 0;
for (const name of readdirSync(out)) {
  const body = readFileSync(path.join(out, name));
  raw += body.length;
  gz += gzipSync(body, { level: 9 }).length;
}
process.stderr.write(`console built in ${path.relative(process.cwd(), out) || out}: ${(raw / 1024).toFixed(1)} KiB, ${(gz / 1024).toFixed(1)} KiB gzip\n`);
