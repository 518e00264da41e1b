// Run folders (`servesim run --out DIR`): summary.json, requests.jsonl and AIPerf's three export files,
// each written atomically; a folder holding anything else is refused unless overwriting. Read back for
// reports with every line checked.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RecordTable } from '../metrics/record-table.ts';
import { AIPERF_FILES } from '../outputs/aiperf.ts';
import type { RequestRecord } from '../protocol/records.ts';
import type { Summary } from '../protocol/summary.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { LineReader } from '../trace/lines.ts';
import { inputError } from '../util/errors.ts';
import { readTextFile } from '../util/files.ts';
import { checkOutFolder, removeFiles } from '../util/out-folder.ts';
import { recordSchema, schemaProblem, summarySchema } from '../protocol/run-schema.ts';
import { expectObject, expectString } from '../util/guard.ts';

export const SUMMARY_FILE = 'summary.json';
export const RECORDS_FILE = 'requests.jsonl';

export interface RunFolder {
  name: string;
  summary: Summary;
  records: RequestRecord[];
}

/** The files a run writes (summary.json, then the records and AIPerf's files unless --no-records). */
export const RUN_FILES: readonly string[] = [SUMMARY_FILE, RECORDS_FILE, ...Object.values(AIPERF_FILES)];

/** Refuse a folder that exists and holds files a run does not write (unless `overwrite`). */
export function checkRunFolder(dir: string, overwrite: boolean): void {
  checkOutFolder(dir, RUN_FILES, overwrite, 'a servesim run');
}

/**
 * Before a run's files are written into `dir`: remove the earlier run's summary.json first (so no
 * reader pairs it with the new records), then its files this run will not write (`writing`). The new
 * summary.json is written last, so a folder with a summary holds that run's files and no other run's.
 */
export function clearRunFolder(dir: string, writing: readonly string[]): void {
  removeFiles(dir, [SUMMARY_FILE, ...RUN_FILES.filter((f) => f !== SUMMARY_FILE && !writing.includes(f))]);
}

/** Write a run's files into `dir` (created if needed): `files` maps file names to contents (or chunks). */
export function writeRunFolder(dir: string, files: Readonly<Record<string, string | Iterable<string>>>): void {
  expectString(dir, 'writeRunFolder', 'dir');
  expectObject(files, 'writeRunFolder', 'files');
  mkdirSync(dir, { recursive: true });
  clearRunFolder(dir, Object.keys(files));
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
  const bad = schemaProblem(summarySchema, summary);
  if (bad) throw inputError({ file: summaryFile, field: bad.field }, `${bad.what}: not a servesim run summary`);
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
    const wrong = schemaProblem(recordSchema, r);
    if (wrong) throw inputError({ file: recordsFile, line: lines.line, field: wrong.field }, `${wrong.what}: not a servesim request record`);
    records.push(r as RequestRecord);
  }
  checkRecordsMatch(summary as Summary, records, recordsFile);
  return { name: basename(dir), summary: summary as Summary, records };
}

/** The records are those of the summary's run: as many, with the same counts by status. */
function checkRecordsMatch(summary: Summary, records: readonly RequestRecord[], file: string): void {
  const by = { completed: 0, 'timed-out': 0, rejected: 0 };
  for (const r of records) by[r.status]++;
  const want = summary.requests;
  const got = { issued: records.length, completed: by.completed, timedOut: by['timed-out'], rejected: by.rejected };
  const off = (Object.keys(got) as (keyof typeof got)[]).find((k) => got[k] !== want[k]);
  if (off) throw inputError({ file }, `${got[off]} ${off === 'issued' ? 'records' : `${off} records`}, but ${SUMMARY_FILE} counts ${want[off]} (requests.${off}): records of another run; rerun into an empty folder`);
}
