// A worker: one DEP group of attention-DP ranks stepping in lockstep. Each iteration it places new
// requests on ranks, admits them (slots + KV blocks), builds every rank's batch (decode tokens first,
// then FCFS prefill chunks in the max_num_tokens budget), and lasts as long as the cost model says
// the whole group takes. One event per iteration; every request in it advances at its end. Runs of
// identical decode-only iterations are one event (see decode-run.ts). The worker owns its requests'
// stays: their queues, ranks and KV blocks; the run loop reaches them only through its operations.
import type { WorkerCost } from '../cost/worker-cost.ts';
import { BlockCache } from '../kv/block-cache.ts';
import type { RequestView } from '../protocol/router.ts';
import type { EngineConfig } from '../scenario/schema.ts';
import { admitWaiting } from './admission.ts';
import { assignToRanks } from './adp.ts';
import { CudaGraphs } from './cuda-graph.ts';
import { StepRun } from './decode-run.ts';
import type { RolePolicy } from './policy.ts';
import { Rank } from './rank.ts';
import { buildBatch, emptyBatch, type Batch } from './batch.ts';
import { Stay } from './stay.ts';
import { Responses, streamedResponses, type ResponseKind } from './responses.ts';
import type { WorkerHost, WorkerOptions } from './host.ts';
import { StepTimer } from './step-timer.ts';
import { WorkerLimits } from './worker-limits.ts';

/** Longest run of decode-only iterations simulated as one event. */
export const MAX_RUN_STEPS = 64;

export type { WorkerHost, WorkerOptions } from './host.ts';

export class Worker<R extends RequestView = RequestView> {
  readonly id: number;
  readonly policy: RolePolicy;
  readonly engine: EngineConfig;
  readonly cost: WorkerCost;
  readonly ranks: Rank<R>[];
  readonly tokensPerBlock: number;
  readonly label: string;
  /** Requests that arrived without a DP rank: TRT-LLM's ADP places them at the next iteration. */
  private readonly engineQueue: Stay<R>[] = [];
  private running = false;

  // statistics
  iterations = 0;
  busyMs = 0;
  prefillIterations = 0;
  /** Time spent in iterations that carry prefill chunks, ms. */
  prefillBusyMs = 0;
  /** When its last iteration that computed something ended, ms. */
  lastBusyEndMs = 0;

  private readonly overlap: boolean;
  /** What it can never serve; KV blocks a request needs. */
  readonly limits: WorkerLimits;
  /** Overlap scheduler: responses of the previous iteration, handled during the next one (TRT-LLM
   *  processes step i's outputs in loop i + 1). */
  private finishing = new Responses<R>();
  private flushing = new Responses<R>();
  /** The iteration (or run of decode-only iterations) in flight: its batch and its steps. */
  private readonly batch: Batch<R>;
  private readonly run: StepRun;
  private readonly timer: StepTimer<R>;

  constructor(o: WorkerOptions, readonly host: WorkerHost<R, Worker<R>>) {
    this.id = o.id;
    this.policy = o.policy;
    this.engine = o.engine;
    this.cost = o.cost;
    this.label = `${o.policy.role}${o.id}`;
    this.overlap = !o.engine.disable_overlap_scheduler;
    const kv = o.engine.kv_cache_config;
    this.tokensPerBlock = kv.tokens_per_block;
    this.ranks = Array.from({ length: o.cost.ranks }, (_, i) => new Rank<R>(i, `${this.label}.r${i}`, new BlockCache(o.cost.kvCapacityBlocksPerRank, kv.enable_block_reuse)));
    this.limits = new WorkerLimits(o.policy, o.engine, o.cost, this.ranks[0].cache.capacityBlocks);
    this.run = new StepRun(Math.max(1, Math.floor(o.maxRunSteps ?? MAX_RUN_STEPS)));
    this.timer = new StepTimer<R>(this.run, new CudaGraphs(o.engine, this.ranks.length), o.cost, this.ranks.length);
    this.batch = emptyBatch<R>(this.ranks.length);
  }

  /** Requests queued at the worker, not yet on a rank. */
  get queued(): number {
    return this.engineQueue.length;
  }

  /** A request reaches this worker, pinned to DP rank `rank` or left to the engine's ADP placement;
   *  wake the worker once the caller holds the stay. */
  enqueue(req: R, rank: number | null): Stay<R> {
    const stay = new Stay(req, this.id, this.policy.generatedOnArrival);
    if (rank !== null) this.placeOn(stay, this.ranks[rank]);
    else this.engineQueue.push(stay);
    return stay;
  }

  /** Something changed for this worker: start an iteration now if idle, else end a decode run at its next step. */
  wake(nowMs: number): void {
    if (!this.running) this.startIteration(nowMs);
    else if (this.run.steps > 1) {
      const endMs = this.run.cutAt(nowMs);
      if (!Number.isNaN(endMs)) this.host.scheduleIterationEnd(this, endMs, this.run.id);
    }
  }

  /** Decode side: the KV of `stay` has arrived; it joins the next iteration. False if it was cut off meanwhile. */
  kvArrived(stay: Stay<R>): boolean {
    if (stay.phase !== 'transfer') return false;
    stay.phase = 'ready';
    return true;
  }

  /** Prefill side: the decode worker has the KV of a handed-off request; free its blocks here. */
  releaseHandoff(stay: Stay<R>): void {
    if (stay.phase !== 'handed-off') return;
    this.releaseBlocks(stay);
    stay.phase = 'done';
  }

  /** Remove `stay` wherever it is on this worker and free what it holds here (a cut-off). True if it was
   *  on a rank: then wake the worker once the request has left, the freed room may admit another. */
  cancel(stay: Stay<R>): boolean {
    if (stay.phase === 'queued') this.engineQueue.splice(this.engineQueue.indexOf(stay), 1);
    else if (stay.phase !== 'done' && stay.phase !== 'handed-off') {
      const rank = this.ranks[stay.rank];
      const list = stay.phase === 'waiting' ? rank.waiting : rank.active;
      list.splice(list.indexOf(stay), 1);
      rank.assignedPromptTokens -= stay.req.inputTokens;
    }
    this.releaseBlocks(stay);
    stay.phase = 'done';
    return stay.rank >= 0;
  }

  /** Requests still held anywhere on the worker (end-of-run accounting). */
  heldRequests(): number {
    let n = this.engineQueue.length;
    for (const r of this.ranks) n += r.waiting.length + r.active.length;
    return n;
  }

  private placeOn(stay: Stay<R>, rank: Rank<R>): void {
    stay.rank = rank.index;
    stay.phase = 'waiting';
    rank.waiting.push(stay);
    rank.assignedPromptTokens += stay.req.inputTokens;
  }

  private releaseBlocks(stay: Stay<R>): void {
    if (stay.alloc) this.ranks[stay.rank].cache.release(stay.alloc);
    stay.alloc = null;
  }

  private startIteration(nowMs: number): void {
    this.promoteArrivedKv(nowMs);
    this.placeQueued();
    for (const rank of this.ranks) admitWaiting(rank, this, nowMs);
    const b = buildBatch(this.ranks, this.engine, this.cost, this.tokensPerBlock, this.batch, nowMs);
    this.swapResponses();
    if (b.globalTokens === 0) {
      // nothing to compute: a CPU-only executor loop hands out pending responses, or the worker sleeps
      this.running = this.flushing.size > 0;
      if (this.running) this.host.scheduleIterationEnd(this, this.timer.hostLoop(nowMs), this.run.id);
    } else {
      this.running = true;
      const canRun = b.prefillTokens === 0 && this.flushing.size === 0 && this.engineQueue.length === 0 && this.noneWaiting();
      this.host.scheduleIterationEnd(this, this.timer.step(nowMs, b, canRun), this.run.id);
    }
  }

  /** Decode: KV arrived, the engine re-emits the first token before the step; a single-token output is
   *  then done, and its slot and blocks are free for placement and admission below. */
  private promoteArrivedKv(nowMs: number): void {
    if (this.policy.computesPrompt) return;
    for (const rank of this.ranks) {
      for (let i = 0; i < rank.active.length; i++) {
        const stay = rank.active[i];
        if (stay.phase !== 'ready') continue;
        stay.phase = 'decode';
        stay.decodeStartMs = nowMs;
        if (this.policy.firstToken === 'kv-arrived') this.host.firstToken(stay.req, nowMs);
        if (stay.generatedTokens >= stay.req.outputTokens) {
          this.finish(stay, nowMs);
          i--;
        }
      }
    }
  }


  private noneWaiting(): boolean {
    for (const r of this.ranks) if (r.waiting.length > 0) return false;
    return true;
  }

  /** TRT-LLM attention DP: requests without a rank go to ranks now. */
  private placeQueued(): void {
    if (this.engineQueue.length === 0) return;
    for (const p of assignToRanks(this.engineQueue, this.ranks, this.engine.max_batch_size)) this.placeOn(p.stay, p.rank);
  }

  /** Swap the two reused response lists: what finished last iteration is flushed at the end of this one. */
  private swapResponses(): void {
    const flushing = this.finishing;
    this.finishing = this.flushing;
    this.flushing = flushing;
  }

  /** The iteration (or decode run) in flight ends at `nowMs`: advance every request in it, then start the next. */
  endIteration(nowMs: number, run: number): void {
    if (run !== this.run.id) return; // superseded: the run was cut short
    const steps = this.run.steps;
    const { inFlight, inFlightCount } = this.batch;
    if (inFlightCount > 0) {
      this.iterations += steps;
      this.busyMs += this.run.durationMs;
      this.lastBusyEndMs = nowMs;
      if (this.run.prefillMs > 0) {
        this.prefillIterations++;
        this.prefillBusyMs += this.run.prefillMs;
      }
      for (const rank of this.ranks) if (this.batch.decodes[rank.index] > 0) rank.busyIterations += steps - 1;
    }
    for (let i = 0; i < inFlightCount; i++) {
      const stay = inFlight[i];
      const planned = stay.plannedTokens;
      stay.plannedTokens = 0;
      if (stay.phase === 'prefill') this.advancePrefill(stay, planned, nowMs);
      else if (stay.phase === 'decode') {
        stay.generatedTokens += steps;
        if (stay.generatedTokens >= stay.req.outputTokens) this.lastToken(stay, nowMs);
      }
      // any other phase: cancelled while the iteration ran
    }
    this.batch.inFlightCount = 0;
    const flushing = this.flushing;
    for (let i = 0; i < flushing.size; i++) this.deliver(flushing.stays[i], flushing.kinds[i], nowMs);
    flushing.size = 0;
    this.startIteration(nowMs);
  }

  /** A prefill chunk of `planned` tokens is computed: register the new blocks; at the prompt's end the
   *  last step has sampled the first output token. */
  private advancePrefill(stay: Stay<R>, planned: number, nowMs: number): void {
    const req = stay.req;
    stay.prefilledTokens += planned;
    this.ranks[stay.rank].cache.register(stay.alloc!, req.blockHashes, Math.floor(stay.prefilledTokens / this.tokensPerBlock), req.blocksPerKey, req.lastKeyBlocks);
    if (stay.prefilledTokens < req.inputTokens) return;
    stay.promptDoneMs = nowMs;
    stay.generatedTokens = 1;
    if (!this.policy.decodesHere) {
      stay.phase = 'handoff';
      this.respond(stay, 'handoff', nowMs);
      return;
    }
    stay.phase = 'decode';
    stay.decodeStartMs = nowMs;
    this.respond(stay, 'first', nowMs);
    if (stay.generatedTokens >= req.outputTokens) this.lastToken(stay, nowMs);
  }

  /** A response goes out now, or with the next loop under the overlap scheduler. */
  private respond(stay: Stay<R>, kind: ResponseKind, nowMs: number): void {
    if (this.overlap) this.finishing.push(stay, kind);
    else this.deliver(stay, kind, nowMs);
  }

  private deliver(stay: Stay<R>, kind: ResponseKind, nowMs: number): void {
    if (kind === 'last') {
      if (stay.phase === 'finishing') this.finish(stay, nowMs);
    } else if (kind === 'first') {
      if (stay.live) this.host.firstToken(stay.req, nowMs);
    } else if (stay.phase === 'handoff') this.handOff(stay, nowMs);
  }

  /** The last token is computed: done now, or with the next loop under the overlap scheduler. */
  private lastToken(stay: Stay<R>, nowMs: number): void {
    if (this.overlap) {
      stay.phase = 'finishing';
      this.finishing.push(stay, 'last');
    } else this.finish(stay, nowMs);
  }

  private leaveSlot(stay: Stay<R>): void {
    const rank = this.ranks[stay.rank];
    rank.active.splice(rank.active.indexOf(stay), 1);
    rank.assignedPromptTokens -= stay.req.inputTokens;
  }

  /** Prefill done on a prefill worker: the slot is free; KV blocks stay until the transfer completes. */
  private handOff(stay: Stay<R>, nowMs: number): void {
    this.leaveSlot(stay);
    stay.phase = 'handed-off';
    if (this.policy.firstToken === 'prompt-done') this.host.firstToken(stay.req, nowMs);
    this.host.handedOff(stay.req, nowMs);
  }

  /** Last token out: free the slot and the blocks on this rank. */
  private finish(stay: Stay<R>, nowMs: number): void {
    this.leaveSlot(stay);
    this.releaseBlocks(stay);
    stay.phase = 'done';
    stay.responses = streamedResponses(stay.req.outputTokens, this.engine.stream_interval);
    this.host.completed(stay.req, nowMs);
  }
}
