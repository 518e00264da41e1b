// A run folder's files written on both cores: AIPerf's per-request file on a worker thread (started
// before the run, so its modules load meanwhile), requests.jsonl and AIPerf's summary files on this
// thread, summary.json last (a folder with a new summary.json has all of that run's files and none of an
// earlier run's). Without a worker, all on this thread.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RecordTable } from '../metrics/record-table.ts';
import type { AiperfRunInfo } from '../outputs/aiperf.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { writeAiperfFiles, type OutputsJob, type OutputsReply } from './outputs-worker.ts';
import { clearRunFolder, RECORDS_FILE, RUN_FILES, SUMMARY_FILE, tableJsonl } from './run-folder.ts';
import { siblingModule } from '../util/sibling-module.ts';

export class RunOutputs {
  private worker: Worker | null = null;
  private failed: Error | null = null;
  /** Where the last write formatted profile_export.jsonl. */
  linesWrittenOn: 'worker' | 'this thread' | null = null;

  /** `worker`: start the worker thread (only worth it when records will be written). */
  constructor(worker = true) {
    if (!worker) return;
    const url = siblingModule(import.meta.url, 'outputs-worker');
    try {
      this.worker = new Worker(url);
      this.worker.on('error', (e) => (this.failed = e));
    } catch {
      this.worker = null;
    }
  }

  /** Write the folder: records (requests.jsonl and AIPerf's files) when `table` is given, then the summary. */
  async write(dir: string, table: RecordTable | null, info: AiperfRunInfo, summaryText: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    // an earlier run's summary.json goes first, and its files this run does not write (--no-records)
    clearRunFolder(dir, table ? RUN_FILES : [SUMMARY_FILE]);
    if (table) {
      const worker = this.worker && !this.failed ? this.worker : null;
      const job: OutputsJob = { dir, table: worker ? table.data() : ({} as OutputsJob['table']), info, files: 'jsonl' };
      const lines = worker ? this.inWorker(worker, job) : null;
      writeFileAtomic(join(dir, RECORDS_FILE), tableJsonl(table));
      writeAiperfFiles({ ...job, files: lines ? 'summaries' : 'all' }, table);
      const inWorker = lines ? await lines : false;
      if (lines && !inWorker) writeAiperfFiles(job, table);
      this.linesWrittenOn = inWorker ? 'worker' : 'this thread';
    }
    writeFileAtomic(join(dir, SUMMARY_FILE), summaryText);
  }

  /** Stop the worker (after write, or when the run failed). */
  close(): void {
    void this.worker?.terminate();
    this.worker = null;
  }

  /** The job on the worker: true once written there, false if the worker could not run it (do it here). */
  private inWorker(worker: Worker, job: OutputsJob): Promise<boolean> {
    return new Promise((done, fail) => {
      worker.once('message', (m: OutputsReply) => (m.ok ? done(true) : fail(Object.assign(new Error(m.message), { stack: m.stack }))));
      worker.once('error', () => done(false));
      worker.once('exit', () => done(false));
      // the table's columns are copies made for the worker: moved, not copied again
      const t = job.table;
      const columns = [...Object.values(t.numbers), t.status, t.endReason, t.prefillTarget, t.decodeTarget];
      worker.postMessage(job, columns.map((c) => c.buffer as ArrayBuffer));
    });
  }
}
