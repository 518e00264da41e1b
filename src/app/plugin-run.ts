// A run with a plug-in router on a worker thread (plugin-run-worker): the main thread stays free to
// time the plug-in, and ends the thread with one line naming the file when its module does not load
// within the load timeout or one call (select, a hook, its constructor) does not return within the call
// timeout — synchronous loops included, which no timer on the plug-in's own thread could interrupt.
// Only runs with --router pay for the thread; a run without one never comes here.
import { Worker } from 'node:worker_threads';
import { RecordTable, type RecordTableData } from '../metrics/record-table.ts';
import type { Role } from '../protocol/roles.ts';
import type { Summary } from '../protocol/summary.ts';
import { newCallWatch, PLUGIN_CALLS, watchdog } from '../router/plugin-watch.ts';
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
  /** The trace's sha256 as the main thread read it (the summary names it): the thread must read the same bytes. */
  sha256?: string;
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
  | { kind: 'error'; message: string; stack?: string; input: boolean; field?: string; located?: boolean };

/** How long a finished plug-in thread may take to exit on its own (flushing the plug-in's console output)
 *  before it is ended: a plug-in may leave timers behind. */
const EXIT_GRACE_MS = 2000;
/** After Ctrl-C, how long a plug-in call may go on before the thread is ended (it cannot hear the stop). */
const STOP_GRACE_MS = 1000;

/** The error a plug-in thread reported, rebuilt (an input error keeps the key it names, for its location). */
function errorOf(m: Extract<Message, { kind: 'error' }>): Error {
  return m.input ? Object.assign(new InputError(m.message), { field: m.field, located: m.located ?? false }) : Object.assign(new Error(m.message), { stack: m.stack });
}

export function runOnPluginThread(job: Omit<PluginRunJob, 'cells' | 'progress'>, stop?: AbortSignal, onSlice?: (p: { timeMs: number; ended: number; total: number }) => void): Promise<{ summary: Summary; table: RecordTable }> {
  const cells = newCallWatch();
  const worker = new Worker(siblingModule(import.meta.url, 'plugin-run-worker'), { workerData: { ...job, cells, progress: onSlice !== undefined } satisfies PluginRunJob });
  const fail = (why: string) => new InputError(`router plug-in ${job.router}: ${why}`);
  return new Promise((done, reject) => {
    let loadTimer: NodeJS.Timeout | undefined;
    let stopTimer: NodeJS.Timeout | undefined;
    let stopWatch = () => {};
    const onAbort = () => {
      worker.postMessage({ stop: String(stop!.reason) });
      // a call that never returns never hears the stop: end the thread; what ended so far is lost with it
      stopTimer = setTimeout(() => {
        if (Atomics.load(cells, 0) % 2 === 1) end(Object.assign(fail(`interrupted (${String(stop!.reason)}) while its code was running (${callNow()}): nothing written`), { exitCode: 130 }));
      }, STOP_GRACE_MS);
    };
    const callNow = () => {
      const id = Atomics.load(cells, 2);
      return `${PLUGIN_CALLS[Atomics.load(cells, 1)]}${id >= 0 ? ` of request ${id}` : ''}`;
    };
    stop?.addEventListener('abort', onAbort, { once: true });
    /** Settle; a thread stuck in plug-in code is ended now, a finished one is let exit (its output flushed). */
    const end = (e: Error | null, out?: { summary: Summary; table: RecordTable }, finished = false) => {
      clearTimeout(loadTimer);
      clearTimeout(stopTimer);
      stopWatch();
      stop?.removeEventListener('abort', onAbort);
      worker.removeAllListeners();
      worker.on('error', () => {});
      if (!finished) {
        void worker.terminate();
        if (e) reject(e);
        else done(out!);
        return;
      }
      // a throw from plug-in code on a timer while the thread winds down fails the run as it would have
      let late: Error | null = null;
      worker.on('message', (m: Message) => {
        if (m.kind === 'error' && late === null) late = errorOf(m);
      });
      const grace = setTimeout(() => void worker.terminate(), EXIT_GRACE_MS);
      worker.once('exit', () => {
        clearTimeout(grace);
        const why = e ?? late;
        if (why) reject(why);
        else done(out!);
      });
    };
    worker.on('message', (m: Message) => {
      if (m.kind === 'started') {
        loadTimer = setTimeout(() => end(fail(`did not load within ${job.loadTimeoutMs / 1000} s (its top-level code or a top-level await never finished)`)), job.loadTimeoutMs);
      } else if (m.kind === 'loaded') {
        clearTimeout(loadTimer);
        stopWatch = watchdog(cells, job.callTimeoutMs, (call, id) => end(fail(`${call}${id >= 0 ? ` (request ${id})` : ''} did not return within ${job.callTimeoutMs / 1000} s (--router-call-timeout)`)));
      } else if (m.kind === 'progress') onSlice?.(m.progress);
      else if (m.kind === 'done') end(null, { summary: m.summary, table: RecordTable.fromData(m.table) }, true);
      else if (m.kind === 'error') end(errorOf(m), undefined, true);
    });
    worker.on('error', (e) => end(e));
    worker.on('exit', (code) => end(new Error(`the plug-in run's thread ended (exit code ${code}) before the run did`)));
  });
}
