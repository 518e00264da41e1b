// Worker-thread entry of the sweep pool: simulates the jobs the main thread posts, one at a time,
// and posts back their figures (or the error, input errors kept as such); plug-in router calls are
// counted into the cells the main thread watches (pool.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { watchPluginCalls } from '../router/plugin-watch.ts';
import { InputError } from '../util/errors.ts';
import { executeJob } from './execute.ts';
import type { Job } from './points.ts';

const cells = (workerData as { cells?: Int32Array } | null)?.cells;
if (cells) watchPluginCalls(cells);

parentPort!.on('message', async (msg: { id: number; job: Job }) => {
  try {
    const figures = await executeJob(msg.job);
    parentPort!.postMessage({ id: msg.id, figures });
  } catch (e) {
    const err = e as Error;
    parentPort!.postMessage({ id: msg.id, error: { message: err.message, stack: err.stack, input: e instanceof InputError } });
  }
});
