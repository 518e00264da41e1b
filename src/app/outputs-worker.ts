// Worker thread of a run's output files: AIPerf's per-request export file (profile_export.jsonl, the
// largest) of a record table, computed and written (atomically) here while the main thread writes
// requests.jsonl and AIPerf's two summary files, so both cores format output.
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { RecordTable, type RecordTableData } from '../metrics/record-table.ts';
import { aiperfTableParts, type AiperfRunInfo } from '../outputs/aiperf.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';

export interface OutputsJob {
  dir: string;
  table: RecordTableData;
  info: AiperfRunInfo;
  /** Which of AIPerf's files: profile_export.jsonl, the other two, or all three. */
  files: 'jsonl' | 'summaries' | 'all';
}

export type OutputsReply = { ok: true } | { ok: false; message: string; stack?: string };

/** The job's files (also what the main thread runs when no worker can start). */
export function writeAiperfFiles(job: OutputsJob, table = RecordTable.fromData(job.table)): void {
  const parts = aiperfTableParts(table, job.info, job.files);
  for (const [name, text] of Object.entries(parts)) writeFileAtomic(join(job.dir, name), text);
}

parentPort?.once('message', (job: OutputsJob) => {
  let reply: OutputsReply;
  try {
    writeAiperfFiles(job);
    reply = { ok: true };
  } catch (e) {
    reply = { ok: false, message: (e as Error).message, stack: (e as Error).stack };
  }
  parentPort!.postMessage(reply);
});
