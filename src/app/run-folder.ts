// Run folders (`servesim run --out DIR`): summary.json, requests.jsonl and AIPerf's three export files,
// each written atomically; a folder holding anything else is refused unless overwriting. Read back for
// reports with every line checked.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RecordTable } from '../metrics/record-table.ts';
import type { RequestRecord } from '../protocol/records.ts';
import type { Summary } from '../protocol/summary.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { LineReader } from '../trace/lines.ts';
import { inputError } from '../util/errors.ts';
import { readTextFile } from '../util/files.ts';

export const SUMMARY_FILE = 'summary.json';
export const RECORDS_FILE = 'requests.jsonl';

export interface RunFolder {
  name: string;
  summary: Summary;
  records: RequestRecord[];
}

/** Refuse a folder that exists, is not empty and holds files servesim does not write (unless `overwrite`). */
export function checkRunFolder(dir: string, ownFiles: readonly string[], overwrite: boolean): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw inputError({ file: dir }, 'exists and is not a folder');
  if (overwrite) return;
  const foreign = readdirSync(dir).filter((f) => !ownFiles.includes(f));
  if (foreign.length > 0) throw inputError({ file: dir }, `holds files that are not a servesim run (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); choose another --out or pass --overwrite`);
}

/** Write a run's files into `dir` (created if needed): `files` maps file names to contents (or chunks). */
export function writeRunFolder(dir: string, files: Readonly<Record<string, string | Iterable<string>>>): void {
  mkdirSync(dir, { recursive: true });
  // the summary last: a folder with a new summary.json has all of that run's files
  for (const [name, text] of Object.entries(files)) if (name !== SUMMARY_FILE) writeFileAtomic(join(dir, name), text);
  if (files[SUMMARY_FILE] !== undefined) writeFileAtomic(join(dir, SUMMARY_FILE), files[SUMMARY_FILE]);
}

/** requests.jsonl: one record a line, in chunks. */
export function* recordsJsonl(records: readonly RequestRecord[]): Generator<string> {
  for (let i = 0; i < records.length; i += 4096) {
    let chunk = '';
    for (const r of records.slice(i, i + 4096)) chunk += JSON.stringify(r) + '\n';
    yield chunk;
  }
}

/** requests.jsonl of a compact run: the same lines, from the table's rows. */
export function* tableJsonl(table: RecordTable): Generator<string> {
  const ROWS = 4096;
  for (let i = 0; i < table.length; i += ROWS) {
    let chunk = '';
    const end = Math.min(table.length, i + ROWS);
    for (let j = i; j < end; j++) chunk += JSON.stringify(table.record(j)) + '\n';
    yield chunk;
  }
}

export function readRunFolder(dir: string): RunFolder {
  if (!existsSync(dir)) throw inputError({ file: dir }, 'no such run folder');
  if (!statSync(dir).isDirectory()) throw inputError({ file: dir }, 'not a folder: give a run folder written by `servesim run --out DIR`');
  const summaryFile = join(dir, SUMMARY_FILE);
  const recordsFile = join(dir, RECORDS_FILE);
  if (!existsSync(summaryFile)) throw inputError({ file: summaryFile }, 'missing: run `servesim run <scenario> --out DIR` first');
  if (!existsSync(recordsFile)) throw inputError({ file: recordsFile }, 'missing: run without --no-records');
  const text = readTextFile(summaryFile, 'summary file');
  let summary: unknown;
  try {
    summary = JSON.parse(text);
  } catch (e) {
    throw inputError({ file: summaryFile }, `not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (summary === null || typeof summary !== 'object' || Array.isArray(summary)) throw inputError({ file: summaryFile }, 'not a JSON object');
  const records: RequestRecord[] = [];
  const lines = new LineReader(recordsFile);
  for (let l = lines.read(); l !== undefined; l = lines.read()) {
    if (l.trim() === '') continue;
    let r: unknown;
    try {
      r = JSON.parse(l);
    } catch (e) {
      throw inputError({ file: recordsFile, line: lines.line }, `not valid JSON (${(e as Error).message.split('\n')[0]})`);
    }
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw inputError({ file: recordsFile, line: lines.line }, 'not a JSON object');
    records.push(r as RequestRecord);
  }
  return { name: basename(dir), summary: summary as Summary, records };
}
