/** `almanac ingest FILE... [--mapping FILE] [--format jsonl|csv] [--rejects FILE] [--json]` */
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { action, commandConfig } from '../../core/cli/command.ts';
import { AlmanacError } from '../../core/errors.ts';
import { ingestFiles, type IngestFormat, type IngestReport } from './ingest-events.ts';

const SHOWN_REJECTIONS = 20;

interface IngestFlags {
  mapping?: string;
  format?: string;
  rejects?: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description('Validate events from JSONL files (one event per line) or CSV files (with a mapping) and append them to the event log; re-running a file adds nothing (stable event ids).')
    .argument('<files...>', 'input files (.jsonl/.ndjson or .csv)')
    .option('--mapping <file>', 'CSV mapping (JSON; see pipelines/ingest/MAPPING.md)')
    .option('--format <format>', 'jsonl or csv (default: from the file extension)')
    .option('--rejects <file>', 'write every rejected line as JSONL {file, line, reason}')
    .option('--json', 'print the report as JSON on stdout')
    .option('--quiet', 'no progress lines on stderr')
    .addHelpText('after', '\nExit codes: 0 when the files were processed (rejections are reported, not fatal); 2 for an unreadable file, a bad mapping, an unknown format or a --rejects file that is one of the inputs.\nExample: almanac ingest ../shared/data/bank-marketing/bank-full.csv --mapping pipelines/ingest/mappings/bank-marketing.json')
    .action(
      action(async (files: string[], flags: IngestFlags, cmd: Command) => {
        const config = commandConfig(cmd);
        const rejects = flags.rejects === undefined ? undefined : openRejects(flags.rejects, files);
        try {
          const report = await ingestFiles(config, files, {
            ...(flags.mapping === undefined ? {} : { mapping: flags.mapping }),
            ...(flags.format === undefined ? {} : { format: flags.format as IngestFormat }),
            quiet: flags.quiet ?? false,
            ...(rejects === undefined ? {} : { onReject: (r) => void writeSync(rejects, `${JSON.stringify(r)}\n`) }),
          });
          process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : summary(files.length, report));
        } finally {
          if (rejects !== undefined) closeSync(rejects);
        }
      }),
    );
}

/** Opens the rejects file for writing, after refusing one that is an input (opening it with 'w' would empty that input). */
function openRejects(file: string, inputs: string[]): number {
  const input = inputs.find((f) => sameFile(f, file));
  if (input !== undefined) {
    throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `--rejects ${file} is the input file ${input}: writing rejections there would erase it; choose another rejects file`, {
      details: { file, input, issues: [{ path: 'rejects', reason: `same file as input ${input}` }] },
    });
  }
  try {
    return openSync(file, 'w');
  } catch (e) {
    throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `cannot write rejects file ${file}: ${(e as Error).message}`, { details: { file } });
  }
}

/** The same path, or the same file through another name (a link): equal device and inode. */
function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  const sa = statSync(a, { throwIfNoEntry: false });
  const sb = statSync(b, { throwIfNoEntry: false });
  return sa !== undefined && sb !== undefined && sa.dev === sb.dev && sa.ino === sb.ino;
}

/** One summary line, then the first rejections as `file:line: reason`. */
export function summary(fileCount: number, report: IngestReport): string {
  const types = Object.entries(report.byType)
    .sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  const lines = [
    `ingested ${fileCount} file${fileCount === 1 ? '' : 's'}: accepted ${report.accepted}${types ? ` (${types})` : ''}, duplicates ${report.duplicates}, rejected ${report.rejectedTotal}`,
    ...report.rejected.slice(0, SHOWN_REJECTIONS).map((r) => `  ${r.file}:${r.line}: ${r.reason}`),
  ];
  if (report.rejectedTotal > SHOWN_REJECTIONS) lines.push(`  … ${report.rejectedTotal - SHOWN_REJECTIONS} more rejections (write them all with --rejects FILE)`);
  return `${lines.join('\n')}\n`;
}
