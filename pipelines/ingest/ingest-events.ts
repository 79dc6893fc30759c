/**
 * Ingest: validated events from JSONL or mapped CSV files, appended in batches to the events topic.
 * Every event keeps its stable event_id, so the log's idempotent ids make a re-run write nothing
 * new (it reports duplicates). Files are streamed, never loaded whole.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { AlmanacConfig } from '../../core/config.ts';
import { AlmanacError, invalidInput } from '../../core/errors.ts';
import { eventIdentity, type AlmanacEvent } from '../../core/domain/event.ts';
import { createProgress } from '../../core/progress.ts';
import { createTenantStore } from '../../core/tenants/create-tenant-store.ts';
import { EventAdmission } from '../../core/tenants/event-admission.ts';
import { OPERATOR, type Principal } from '../../core/tenants/principal.ts';
import { createEventLog } from '../event-log/create-event-log.ts';
import { EVENTS_TOPIC, type AppendRecord, type EventLog } from '../event-log/event-log.ts';
import { loadMapping, type CsvMapping } from './csv-mapping.ts';
import { csvUnits, jsonlUnits, type IngestUnit } from './ingest-source.ts';

export type IngestFormat = 'jsonl' | 'csv';
export const INGEST_FORMATS: readonly IngestFormat[] = ['jsonl', 'csv'];

/** Rejections kept in the report (all of them go to `onReject`); `rejectedTotal` counts every one. */
export const MAX_REPORTED_REJECTIONS = 10_000;
const BATCH_EVENTS = 5_000;

export interface Rejection {
  file: string;
  line: number;
  reason: string;
}

export interface IngestReport {
  accepted: number;
  duplicates: number;
  /** The first MAX_REPORTED_REJECTIONS rejections. */
  rejected: Rejection[];
  /** Every rejection, including those beyond the list. */
  rejectedTotal: number;
  /** Accepted events by type. */
  byType: Record<string, number>;
}

export interface IngestOptions {
  mapping?: string;
  format?: IngestFormat;
  quiet?: boolean;
  /** Called for every rejection (e.g. to write a rejects file). */
  onReject?: (r: Rejection) => void;
  /**
   * Who ingests (default the operator: every client; `client` events register their clients).
   * Every event passes the ownership rule (core/tenants/event-admission.ts) before it is appended.
   */
  principal?: Principal;
}

/** Ensures the events topic exists with the configured partitions and retention. */
export async function ensureEventsTopic(log: EventLog, config: AlmanacConfig): Promise<void> {
  await log.ensureTopic(EVENTS_TOPIC, { partitions: config.eventLog.partitions, ...(config.eventLog.retentionMs === undefined ? {} : { retentionMs: config.eventLog.retentionMs }) });
}

/**
 * Appends validated events (parseEvent output) to EVENTS_TOPIC: id = (client_id, event_id)
 * (eventIdentity), key = client_id,
 * timestamp = ts. The topic must exist (ensureEventsTopic).
 * @returns accepted and duplicate counts, and accepted counts by event type.
 * @throws ALMANAC_ERR_LOG_UNKNOWN_TOPIC, ALMANAC_ERR_STORE_UNAVAILABLE (retriable)
 */
export async function appendEvents(log: EventLog, events: AlmanacEvent[]): Promise<{ accepted: number; duplicates: number; byType: Record<string, number> }> {
  const records: AppendRecord[] = events.map((e) => ({ id: eventIdentity(e), key: e.client_id, timestamp: e.ts, value: JSON.stringify(e) }));
  const acks = await log.append(EVENTS_TOPIC, records);
  const byType: Record<string, number> = {};
  let accepted = 0;
  acks.forEach((ack, i) => {
    if (ack.status !== 'appended') return;
    accepted++;
    const type = (events[i] as AlmanacEvent).type;
    byType[type] = (byType[type] ?? 0) + 1;
  });
  return { accepted, duplicates: acks.length - accepted, byType };
}

/**
 * Ingests files (all are checked to be readable first).
 * @throws ALMANAC_ERR_INPUT_INVALID for an unreadable file, an unknown format, a bad mapping or a
 *   CSV without mapping — before anything of that file is written.
 */
export async function ingestFiles(config: AlmanacConfig, files: string[], options: IngestOptions = {}): Promise<IngestReport> {
  if (files.length === 0) throw invalidInput('no input files given', [{ path: 'files', reason: 'at least one file is needed' }]);
  const plan = files.map((file) => ({ file, format: formatOf(file, options.format) }));
  for (const { file } of plan) checkReadable(file);
  const mapping = plan.some((p) => p.format === 'csv') ? requireMapping(options.mapping) : undefined;
  const report: IngestReport = { accepted: 0, duplicates: 0, rejected: [], rejectedTotal: 0, byType: {} };
  const log = await createEventLog(config);
  const tenants = await createTenantStore(config);
  try {
    await log.init();
    await tenants.init();
    await ensureEventsTopic(log, config);
    const admission = new EventAdmission(tenants);
    for (const { file, format } of plan) {
      const units = (onBytes: (b: number) => void) => (format === 'csv' ? csvUnits(file, mapping as CsvMapping, onBytes, config.events) : jsonlUnits(file, onBytes, config.events));
      await ingestFile({ log, admission, principal: options.principal ?? OPERATOR }, file, units, report, options);
    }
  } finally {
    await log.close();
    await tenants.close();
  }
  return report;
}

interface IngestTarget {
  log: EventLog;
  admission: EventAdmission;
  principal: Principal;
}

async function ingestFile(target: IngestTarget, file: string, units: (onBytes: (b: number) => void) => AsyncGenerator<IngestUnit>, report: IngestReport, options: IngestOptions): Promise<void> {
  const size = statSync(file).size;
  const progress = createProgress({ label: `ingest ${path.basename(file)}`, unit: 'lines', quiet: options.quiet ?? false });
  let bytes = 0;
  let lines = 0;
  let batch: AlmanacEvent[] = [];
  let batchLines: number[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const { admitted, rejected } = await target.admission.admit(batch, { kind: 'principal', principal: target.principal });
    for (const r of rejected) recordRejection(report, { file, line: batchLines[r.index] as number, reason: `${r.path}: ${r.reason}` }, options);
    batchLines = [];
    if (admitted.length === 0) {
      batch = [];
      return;
    }
    const result = await appendEvents(target.log, admitted);
    report.accepted += result.accepted;
    report.duplicates += result.duplicates;
    for (const [type, n] of Object.entries(result.byType)) report.byType[type] = (report.byType[type] ?? 0) + n;
    batch = [];
  };
  for await (const unit of units((b) => (bytes = b))) {
    lines = unit.line;
    if ('reject' in unit) recordRejection(report, { file, line: unit.line, reason: unit.reject }, options);
    else for (const e of unit.events) {
      batch.push(e);
      batchLines.push(unit.line);
    }
    if (batch.length >= BATCH_EVENTS) await flush(); // only between rows: a row's events land together
    progress.update(lines, size > 0 ? `${((100 * bytes) / size).toFixed(0)}% of ${path.basename(file)}` : undefined);
  }
  await flush();
  progress.done(`accepted ${report.accepted}, duplicates ${report.duplicates}, rejected ${report.rejectedTotal}`);
}

function recordRejection(report: IngestReport, rejection: Rejection, options: IngestOptions): void {
  report.rejectedTotal++;
  if (report.rejected.length < MAX_REPORTED_REJECTIONS) report.rejected.push(rejection);
  options.onReject?.(rejection);
}

function formatOf(file: string, format: string | undefined): IngestFormat {
  if (format !== undefined) {
    if (!(INGEST_FORMATS as readonly string[]).includes(format)) throw invalidInput(`unknown format '${format}': use jsonl or csv`, [{ path: 'format', reason: 'must be jsonl or csv' }]);
    return format as IngestFormat;
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  throw invalidInput(`cannot tell the format of ${file} from its extension: pass --format jsonl|csv`, [{ path: 'format', reason: 'unknown extension' }]);
}

function checkReadable(file: string): void {
  try {
    accessSync(file, constants.R_OK);
    if (!statSync(file).isFile()) throw new Error('not a regular file');
  } catch (e) {
    throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `cannot read ${file}: ${(e as Error).message}`, { details: { file, issues: [{ path: 'file', reason: 'unreadable' }] } });
  }
}

function requireMapping(mapping: string | undefined): CsvMapping {
  if (mapping === undefined) throw invalidInput('CSV input needs a mapping: pass --mapping FILE (see pipelines/ingest/MAPPING.md)', [{ path: 'mapping', reason: 'required for CSV' }]);
  return loadMapping(mapping);
}
