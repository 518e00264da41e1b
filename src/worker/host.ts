// The worker's two interfaces to the outside: what it needs from the simulation around it (the host)
// and what it is built from.
import type { WorkerCost } from '../cost/worker-cost.ts';
import type { RequestView } from '../protocol/router.ts';
import type { EngineConfig } from '../scenario/schema.ts';
import type { RolePolicy } from './policy.ts';
import type { Stay } from './stay.ts';

/** What a worker needs from the simulation around it. */
export interface WorkerHost<R extends RequestView, W> {
  /** Call worker.endIteration(atMs, run) at `atMs` (a later call with a new `run` supersedes it). */
  scheduleIterationEnd(worker: W, atMs: number, run: number): void;
  /** A decode rank took the request: pull its KV (a transfer of `durationMs` once the transceiver has
   *  buffers on both ends), then call kvArrived. */
  requestKv(stay: Stay<R>, durationMs: number): void;
  /** The first output token is out. */
  firstToken(req: R, atMs: number): void;
  /** The prompt is done on a prefill worker: route the request to decode (its blocks stay here until then). */
  handedOff(req: R, atMs: number): void;
  /** The last token is out. */
  completed(req: R, atMs: number): void;
}

export interface WorkerOptions {
  id: number;
  policy: RolePolicy;
  engine: EngineConfig;
  cost: WorkerCost;
  /** Longest run of identical decode-only iterations taken as one event (1 = an event per iteration). */
  maxRunSteps?: number;
}
