// The routing protocol: what a router sees (a read-only request, read-only per-target views of its
// pool, seeded randomness, the clock, KV events) and what it answers (a (worker, DP rank) target).
// Built-in policies and plug-in files implement the same Router and are built by the same factory type.
import type { Rng } from '../util/random.ts';

export interface RouteTarget {
  /** Index of the worker within the pool. */
  worker: number;
  /** DP rank within the worker, or null to let the engine place the request (TRT-LLM ADP). */
  rank: number | null;
}

/** A request as a router sees it: immutable. */
export interface RequestView {
  readonly id: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Scheduled send time, ms. */
  readonly scheduledMs: number;
  /** The trace's hash ids (one per 512-token block). */
  readonly hashIds: readonly number[];
  /** Keys of the prompt's full KV blocks, in units of `blocksPerKey` engine blocks (the last: `lastKeyBlocks`). */
  readonly blockHashes: readonly number[];
  readonly blocksPerKey: number;
  readonly lastKeyBlocks: number;
  /** Engine blocks in the first `units` units of `blockHashes`. */
  blocksInUnits(units: number): number;
}

/**
 * Read-only live view of one (worker, DP rank) target. Values are read from the simulated engine when
 * accessed (the engine's own state, i.e. what KV events + load metrics report with no delay).
 */
export interface TargetView {
  /** Worker index within the pool (RouteTarget.worker). */
  readonly worker: number;
  /** DP rank within the worker (RouteTarget.rank). */
  readonly rank: number;
  /** e.g. "prefill0.r3". */
  readonly label: string;
  /** Leading full KV blocks of `req`'s prompt cached on this rank now (× blockTokens = cached tokens). */
  overlapBlocks(req: RequestView): number;
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

export type KvEventKind = 'stored' | 'removed';
export type KvEventListener = (kind: KvEventKind, keys: readonly number[]) => void;

/** What a router is constructed with. */
export interface RouterContext {
  /** Every (worker, rank) target of the pool, worker-major. */
  readonly targets: readonly TargetView[];
  /** DP ranks of each worker of the pool. */
  readonly workerRanks: readonly number[];
  /** Tokens per KV block of the pool's engines. */
  readonly blockTokens: number;
  /** Seeded uniform random numbers in [0, 1): this router's own stream. */
  readonly random: Rng;
  /** The simulated clock, ms. */
  readonly now: () => number;
  /** Receive the KV stored/removed events of target `index` (what Dynamo's KV indexer consumes). */
  onKvEvents(index: number, listener: KvEventListener): void;
  /**
   * What an index fed by target `index`'s KV events with no delay holds, read from the engine directly:
   * leading keys of `keys` cached there, and how many keys are cached there.
   */
  cachedPrefix(index: number, keys: readonly number[]): number;
  cachedKeys(index: number): number;
}

export interface Router {
  readonly name: string;
  select(req: RequestView, nowMs: number): RouteTarget;
  /** The request was sent to `target` (bookkeeping: ActiveSequences.add_request). */
  onRouted?(req: RequestView, target: RouteTarget, nowMs: number): void;
  /** Prefill finished on the routed target (mark_prefill_completed). */
  onPrefillDone?(req: RequestView, nowMs: number): void;
  /** The request left the routed target: completed, handed off or cancelled (free). */
  onFinished?(req: RequestView, nowMs: number): void;
  /** One line for the run summary. */
  describe?(): string;
}

/** How every router is built: a mode of the scenario, or a plug-in file. */
export type RouterFactory = (ctx: RouterContext) => Router;
