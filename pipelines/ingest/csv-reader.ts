/**
 * Streaming CSV reader (RFC 4180 with a configurable delimiter and quote): quoted fields may hold
 * delimiters, doubled quotes and line breaks; CRLF or LF line ends; a leading BOM is skipped.
 * Reads the file in chunks and yields one record at a time, so a 10M-line file never sits in
 * memory. Written here rather than pulled in as a dependency: the grammar is small and the
 * line numbers of records (for rejections) come out exactly.
 */
import { createReadStream } from 'node:fs';

export interface CsvOptions {
  delimiter: string;
  quote: string;
}

export interface CsvRecord {
  /** 1-based physical line where the record starts. */
  line: number;
  fields: string[];
  /** Set when the record is malformed (e.g. an unterminated quoted field at the end of the file). */
  error?: string;
}

/** Yields the records of `file`; `onBytes` reports bytes read so far (for progress). */
export async function* readCsv(file: string, options: CsvOptions, onBytes?: (bytes: number) => void): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser(options);
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let first = true;
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
    first = false;
    yield* parser.push(text);
    onBytes?.(stream.bytesRead);
  }
  yield* parser.end();
}

/** Incremental parser: push text, collect the records completed so far. */
export class CsvParser {
  private readonly delimiter: number;
  private readonly quote: number;
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  /** The previous char closed a quoted section (a following quote is an escaped quote). */
  private afterQuote = false;
  private pendingCr = false;
  private line = 1;
  private recordLine = 1;
  private recordStarted = false;

  constructor(options: CsvOptions) {
    this.delimiter = options.delimiter.charCodeAt(0);
    this.quote = options.quote.charCodeAt(0);
  }

  push(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let start = 0; // start of the current run of plain characters
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === 10) {
          start = i + 1;
          continue;
        }
      }
      if (this.inQuotes) {
        if (c === this.quote) {
          this.field += text.slice(start, i);
          this.inQuotes = false;
          this.afterQuote = true;
          start = i + 1;
        } else if (c === 10) this.line++;
        continue;
      }
      if (c === this.quote) {
        this.field += text.slice(start, i);
        if (this.afterQuote) this.field += text[i]; // "" inside a quoted field
        this.inQuotes = true;
        this.afterQuote = false;
        this.recordStarted = true;
        start = i + 1;
        continue;
      }
      this.afterQuote = false;
      if (c === this.delimiter) {
        this.fields.push(this.field + text.slice(start, i));
        this.field = '';
        this.recordStarted = true;
        start = i + 1;
      } else if (c === 10 || c === 13) {
        this.field += text.slice(start, i);
        this.endRecord(out);
        this.line++;
        this.recordLine = this.line;
        this.pendingCr = c === 13;
        start = i + 1;
      } else this.recordStarted = true;
    }
    this.field += text.slice(start);
    return out;
  }

  /** Flushes the last record (a file may end without a newline). */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.inQuotes) {
      this.fields.push(this.field);
      out.push({ line: this.recordLine, fields: this.fields, error: 'unterminated quoted field at the end of the file' });
      this.fields = [];
      this.field = '';
      this.inQuotes = false;
      return out;
    }
    this.endRecord(out);
    return out;
  }

  private endRecord(out: CsvRecord[]): void {
    if (this.recordStarted || this.field !== '' || this.fields.length > 0) {
      this.fields.push(this.field);
      out.push({ line: this.recordLine, fields: this.fields });
    }
    this.fields = [];
    this.field = '';
    this.recordStarted = false;
    this.afterQuote = false;
  }
}
