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

/**
 * Read-only live view of one (worker, DP rank) target, for plug-in routers. Values are read from the
 * simulated engine when accessed (the engine's own state, i.e. what KV events + load metrics report
 * with no delay).
 */
export interface TargetView {
  /** Worker index within the pool (RouteTarget.worker). */
  readonly worker: number;
  /** DP rank within the worker (RouteTarget.rank). */
  readonly rank: number;
  /** e.g. "prefill0.r3". */
  readonly label: string;
  /** Leading full KV blocks of `req`'s prompt cached on this rank now (× blockTokens = cached tokens). */
  overlapBlocks(req: SimRequest): number;
  /** Requests holding a batch slot (prefill, KV transfer or decode). */
  readonly activeRequests: number;
  /** Requests pinned to this rank waiting for a slot / KV blocks. */
  readonly queuedRequests: number;
  /** max_batch_size − active requests. */
  readonly freeSlots: number;
  /** KV blocks held by live requests / the rank's KV capacity, blocks. */
  readonly kvUsedBlocks: number;
  readonly kvCapacityBlocks: number;
  /** Prompt tokens still to compute: uncomputed part of active prefills + prompts of queued requests. */
  readonly pendingPrefillTokens: number;
}

/** What a plug-in router is constructed with: the pool, seeded randomness, the clock, and per-target views. */
export interface PluginRouterContext extends RouterContext {
  /** Every (worker, rank) target of the pool, worker-major. */
  readonly targets: readonly TargetView[];
  /** Tokens per KV block of the pool's engines. */
  readonly blockTokens: number;
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
