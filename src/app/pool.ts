// Where jobs run: in this thread (workers 0) or on a pool of worker threads, each taking the next job
// as it finishes one; results are keyed by job, so the number of workers never changes what is kept.
// Jobs with a plug-in router always run on threads, whose plug-in calls this thread times (a call that
// never returns ends the pool with one line naming the plug-in).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InputError } from '../util/errors.ts';
import { executeJob } from './execute.ts';
import type { Figures } from './figures.ts';
import type { Job } from './points.ts';
import { siblingModule } from '../util/sibling-module.ts';
import { DEFAULT_CALL_TIMEOUT_MS, newCallWatch, watchdog } from '../router/plugin-watch.ts';

export const defaultWorkers = (): number => Math.max(1, availableParallelism());

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/** Run every job; `onResult` is called (in completion order) as each finishes. */
export async function runPool(jobs: readonly Job[], workers: number, onResult: (job: Job, f: Figures) => void, signal?: AbortSignal): Promise<void> {
  if (jobs.length === 0) return;
  // a plug-in's synchronous loop could not be interrupted on this thread
  if (workers <= 0 && jobs.some((j) => j.router !== undefined)) workers = 1;
  if (workers <= 0) {
    for (const job of jobs) {
      if (signal?.aborted) throw new Interrupted();
      onResult(job, await executeJob(job));
    }
    return;
  }
  const url = siblingModule(import.meta.url, 'sweep-worker');
  const n = Math.min(workers, jobs.length);
  const threads: Worker[] = [];
  const unwatch: Array<() => void> = [];
  const current = new Map<Worker, Job>();
  let next = 0;
  let finished = 0;
  await new Promise<void>((done, fail) => {
    let failed = false;
    const stop = (e: Error) => {
      if (failed) return;
      failed = true;
      for (const u of unwatch) u();
      for (const t of threads) void t.terminate();
      fail(e);
    };
    signal?.addEventListener('abort', () => stop(new Interrupted()), { once: true });
    const feed = (t: Worker) => {
      if (failed) return;
      if (next >= jobs.length) {
        void t.terminate();
        return;
      }
      const id = next++;
      current.set(t, jobs[id]);
      t.postMessage({ id, job: jobs[id] });
    };
    for (let i = 0; i < n; i++) {
      const cells = newCallWatch();
      const t = new Worker(url, { workerData: { cells } });
      threads.push(t);
      const limit = DEFAULT_CALL_TIMEOUT_MS;
      unwatch.push(watchdog(cells, limit, (call, req) => stop(new InputError(`router plug-in ${current.get(t)?.router}: ${call}${req >= 0 ? ` (request ${req})` : ''} did not return within ${limit / 1000} s`))));
      t.on('message', (m: { id: number; figures?: Figures; error?: { message: string; stack?: string; input: boolean } }) => {
        if (failed) return;
        if (m.error) {
          const e = m.error.input ? new InputError(m.error.message) : Object.assign(new Error(m.error.message), { stack: m.error.stack });
          stop(e);
          return;
        }
        try {
          onResult(jobs[m.id], m.figures!);
        } catch (e) {
          stop(e as Error);
          return;
        }
        if (++finished === jobs.length) {
          for (const u of unwatch) u();
          for (const w of threads) void w.terminate();
          done();
          return;
        }
        feed(t);
      });
      t.on('error', (e) => stop(e));
      feed(t);
    }
  });
}
