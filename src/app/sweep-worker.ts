// Worker-thread entry of the sweep pool: simulates the jobs the main thread posts, one at a time,
// and posts back their figures (or the error, input errors kept as such).
import { parentPort } from 'node:worker_threads';
import { InputError } from '../util/errors.ts';
import { executeJob } from './execute.ts';
import type { Job } from './points.ts';

parentPort!.on('message', async (msg: { id: number; job: Job }) => {
  try {
    const figures = await executeJob(msg.job);
    parentPort!.postMessage({ id: msg.id, figures });
  } catch (e) {
    const err = e as Error;
    parentPort!.postMessage({ id: msg.id, error: { message: err.message, stack: err.stack, input: e instanceof InputError } });
  }
});
