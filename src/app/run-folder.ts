// Run folders (`servesim run --out DIR`): summary.json and requests.jsonl written atomically, and read
// back for reports with every line checked.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RequestRecord } from '../protocol/records.ts';
import type { Summary } from '../protocol/summary.ts';
import { inputError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';

export interface RunFolder {
  name: string;
  summary: Summary;
  records: RequestRecord[];
}

/** Write a run's files into `dir` (created if needed); `records` false skips requests.jsonl. */
export function writeRunFolder(dir: string, summary: Summary, records: readonly RequestRecord[] | null): void {
  mkdirSync(dir, { recursive: true });
  if (records) writeFileAtomic(join(dir, 'requests.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
}

export function readRunFolder(dir: string): RunFolder {
  const summaryFile = join(dir, 'summary.json');
  const recordsFile = join(dir, 'requests.jsonl');
  if (!existsSync(summaryFile)) throw inputError({ file: summaryFile }, 'missing: run `servesim run <scenario> --out DIR` first');
  if (!existsSync(recordsFile)) throw inputError({ file: recordsFile }, 'missing: run without --no-records');
  let summary: unknown;
  try {
    summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
  } catch {
    throw inputError({ file: summaryFile }, 'not valid JSON');
  }
  if (summary === null || typeof summary !== 'object' || Array.isArray(summary)) throw inputError({ file: summaryFile }, 'not a JSON object');
  const records = readFileSync(recordsFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as RequestRecord;
      } catch {
        throw inputError({ file: recordsFile, line: i + 1 }, 'not valid JSON');
      }
    });
  return { name: basename(dir), summary: summary as Summary, records };
}
