// Worker-thread entry of a run with a plug-in router (app/plugin-run.ts): loads the plug-in, opens the
// inputs and runs the simulation in slices here, so the main thread can end the thread when plug-in
// code never returns. Posts 'started', 'loaded', progress, then the summary and records (or the error).
import { parentPort, workerData } from 'node:worker_threads';
import { loadRouterPlugin, trapProcessExit } from '../router/plugin.ts';
import { watchPluginCalls } from '../router/plugin-watch.ts';
import { InputError } from '../util/errors.ts';
import { openInputs } from './inputs.ts';
import type { PluginRunJob } from './plugin-run.ts';
import { runSliced } from './run.ts';

const job = workerData as PluginRunJob;
const port = parentPort!;
const stop = new AbortController();
port.on('message', (m: { stop: string }) => stop.abort(m.stop));
watchPluginCalls(job.cells);
/** Report `e` and let the thread exit (the main thread waits for it, so the plug-in's console output is flushed). */
const failed = (e: unknown) => {
  const input = e instanceof InputError;
  port.postMessage({ kind: 'error', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined, input, ...(input ? { field: e.field, located: e.located } : {}) });
  finish();
};
/** Nothing more to hear: the thread exits once the plug-in's own timers are done (its port can still tell of a throw from one). */
const finish = () => {
  port.removeAllListeners('message');
  port.unref();
};
// a throw on a timer or promise here comes from plug-in code (a trapped process.exit, say): one line naming it
const thrown = (e: unknown) => failed(e instanceof InputError ? e : new InputError(`router plug-in ${job.router}: threw from a timer or promise: ${e instanceof Error ? e.message : String(e)}`));
process.on('uncaughtException', thrown);
process.on('unhandledRejection', thrown);
port.postMessage({ kind: 'started' });
// a function, not top-level await: the bundle is CommonJS
async function main(): Promise<void> {
  try {
    const plugin = await loadRouterPlugin(job.router, job.cwd, job.loadTimeoutMs, false);
    port.postMessage({ kind: 'loaded' });
    const inputs = openInputs(job.inputs);
    const sha = 'sha256' in inputs.provenance ? inputs.provenance.sha256 : undefined;
    if (job.sha256 !== undefined && sha !== job.sha256) throw new InputError(`${job.inputs.trace}: changed while servesim read it (its sha256 differs between two reads): run again on a file nothing writes`);
    const release = trapProcessExit(job.router);
    try {
      const ran = await runSliced({ ...job.run, requests: inputs.source, prefixProperty: inputs.prefixProperty, routers: { [job.entry]: plugin } }, stop.signal, job.progress ? (p) => port.postMessage({ kind: 'progress', progress: p }) : undefined);
      port.postMessage({ kind: 'done', summary: ran.summary, table: ran.table!.data() });
      finish();
    } finally {
      release();
    }
  } catch (e) {
    failed(e);
  }
}
void main();
