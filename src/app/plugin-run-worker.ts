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
const failed = (e: unknown) => port.postMessage({ kind: 'error', message: (e as Error).message, stack: (e as Error).stack, input: e instanceof InputError });
// a throw from plug-in code on a timer or promise (a trapped process.exit, say) ends the run the same way
process.on('uncaughtException', failed);
process.on('unhandledRejection', failed);
port.postMessage({ kind: 'started' });
// a function, not top-level await: the bundle is CommonJS
async function main(): Promise<void> {
  try {
    const plugin = await loadRouterPlugin(job.router, job.cwd, job.loadTimeoutMs, false);
    port.postMessage({ kind: 'loaded' });
    const inputs = openInputs(job.inputs);
    const release = trapProcessExit(job.router);
    try {
      const ran = await runSliced({ ...job.run, requests: inputs.source, prefixProperty: inputs.prefixProperty, routers: { [job.entry]: plugin } }, stop.signal, job.progress ? (p) => port.postMessage({ kind: 'progress', progress: p }) : undefined);
      port.postMessage({ kind: 'done', summary: ran.summary, table: ran.table!.data() });
    } finally {
      release();
    }
  } catch (e) {
    failed(e);
  }
}
void main();
