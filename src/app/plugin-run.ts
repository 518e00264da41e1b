// A run with a plug-in router on a worker thread (plugin-run-worker): the main thread stays free to
// time the plug-in, and ends the thread with one line naming the file when its module does not load
// within the load timeout or one call (select, a hook, its constructor) does not return within the call
// timeout — synchronous loops included, which no timer on the plug-in's own thread could interrupt.
// Only runs with --router pay for the thread; a run without one never comes here.
import { Worker } from 'node:worker_threads';
import { RecordTable, type RecordTableData } from '../metrics/record-table.ts';
import type { Role } from '../protocol/roles.ts';
import type { Summary } from '../protocol/summary.ts';
import { newCallWatch, watchdog } from '../router/plugin-watch.ts';
import { InputError } from '../util/errors.ts';
import { siblingModule } from '../util/sibling-module.ts';
import type { InputSpec } from './inputs.ts';
import type { RunInput } from './run.ts';

/** What the plug-in thread needs (structured-cloned): everything but the requests and routers, which it makes. */
export interface PluginRunJob {
  router: string;
  cwd: string;
  loadTimeoutMs: number;
  callTimeoutMs: number;
  inputs: InputSpec;
  run: Omit<RunInput, 'requests' | 'routers' | 'prefixProperty'>;
  entry: Role;
  progress: boolean;
  cells: Int32Array;
}

type Message =
  | { kind: 'started' }
  | { kind: 'loaded' }
  | { kind: 'progress'; progress: { timeMs: number; ended: number; total: number } }
  | { kind: 'done'; summary: Summary; table: RecordTableData }
  | { kind: 'error'; message: string; stack?: string; input: boolean };

export function runOnPluginThread(job: Omit<PluginRunJob, 'cells' | 'progress'>, stop?: AbortSignal, onSlice?: (p: { timeMs: number; ended: number; total: number }) => void): Promise<{ summary: Summary; table: RecordTable }> {
  const cells = newCallWatch();
  const worker = new Worker(siblingModule(import.meta.url, 'plugin-run-worker'), { workerData: { ...job, cells, progress: onSlice !== undefined } satisfies PluginRunJob });
  const fail = (why: string) => new InputError(`router plug-in ${job.router}: ${why}`);
  return new Promise((done, reject) => {
    let loadTimer: NodeJS.Timeout | undefined;
    let stopWatch = () => {};
    const onAbort = () => worker.postMessage({ stop: String(stop!.reason) });
    stop?.addEventListener('abort', onAbort, { once: true });
    const end = (e: Error | null, out?: { summary: Summary; table: RecordTable }) => {
      clearTimeout(loadTimer);
      stopWatch();
      stop?.removeEventListener('abort', onAbort);
      worker.removeAllListeners();
      worker.on('error', () => {});
      void worker.terminate();
      if (e) reject(e);
      else done(out!);
    };
    worker.on('message', (m: Message) => {
      if (m.kind === 'started') {
        loadTimer = setTimeout(() => end(fail(`did not load within ${job.loadTimeoutMs / 1000} s (its top-level code or a top-level await never finished)`)), job.loadTimeoutMs);
      } else if (m.kind === 'loaded') {
        clearTimeout(loadTimer);
        stopWatch = watchdog(cells, job.callTimeoutMs, (call, id) => end(fail(`${call}${id >= 0 ? ` (request ${id})` : ''} did not return within ${job.callTimeoutMs / 1000} s (--router-call-timeout)`)));
      } else if (m.kind === 'progress') onSlice?.(m.progress);
      else if (m.kind === 'done') end(null, { summary: m.summary, table: RecordTable.fromData(m.table) });
      else if (m.kind === 'error') end(m.input ? new InputError(m.message) : Object.assign(new Error(m.message), { stack: m.stack }));
    });
    worker.on('error', (e) => end(e));
    worker.on('exit', (code) => end(new Error(`the plug-in run's thread ended (exit code ${code}) before the run did`)));
  });
}
