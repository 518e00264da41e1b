// Router interface: a policy picks a (worker, DP rank) target of one worker pool for a request and
// may keep its own bookkeeping from the lifecycle hooks, as Dynamo's routers do.
import type { SimRequest } from '../worker/request.ts';
import type { Worker } from '../worker/worker.ts';

export interface RouteTarget {
  /** Index of the worker within the pool. */
  worker: number;
  /** DP rank within the worker, or null to let the engine place the request (TRT-LLM ADP). */
  rank: number | null;
}

export interface RouterContext {
  /** The workers this router chooses among. */
  readonly workers: readonly Worker[];
  /** Seeded uniform random numbers in [0, 1). */
  readonly random: () => number;
  /** The simulated clock, ms. */
  readonly now: () => number;
}

export interface Router {
  readonly name: string;
  select(req: SimRequest, nowMs: number): RouteTarget;
  /** The request was sent to `target` (bookkeeping: ActiveSequences.add_request). */
  onRouted?(req: SimRequest, target: RouteTarget, nowMs: number): void;
  /** Prefill finished on the routed target (mark_prefill_completed). */
  onPrefillDone?(req: SimRequest, nowMs: number): void;
  /** The request left the routed target: completed, handed off or cancelled (free). */
  onFinished?(req: SimRequest, nowMs: number): void;
  /** One line for the run summary. */
  describe?(): string;
}
