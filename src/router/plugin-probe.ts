// Worker-thread entry that imports a router plug-in once, before the main thread does, so that the
// main thread can time its top-level code and end the thread when it never finishes (a synchronous
// loop, which no timer on the importing thread can interrupt). Posts 'settled' whatever the import did:
// the main thread's own import then reports any failure.
import { parentPort, workerData } from 'node:worker_threads';
import { importModule } from './plugin.ts';

importModule((workerData as { file: string }).file).then(
  () => parentPort!.postMessage('settled'),
  () => parentPort!.postMessage('settled'),
);
