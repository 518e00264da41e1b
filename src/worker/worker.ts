// A worker: one DEP group of attention-DP ranks stepping in lockstep. Each iteration it places new
// requests on ranks, admits them (slots + KV blocks), builds every rank's batch (decode tokens first,
// then FCFS prefill chunks in the max_num_tokens budget), and lasts as long as the cost model says
// the whole group takes. One event per iteration; every request in it advances at its end. Runs of
// identical decode-only iterations are one event (see decode-run.ts). The worker owns its requests'
// stays: their queues, ranks and KV blocks; the run loop reaches them only through its operations.
import type { StepShape } from '../cost/model.ts';
import type { WorkerCost } from '../cost/worker-cost.ts';
import { BlockCache } from '../kv/block-cache.ts';
import type { EndReason } from '../protocol/records.ts';
import type { RequestView } from '../protocol/router.ts';
import type { EngineConfig } from '../scenario/schema.ts';
import { assignToRanks } from './adp.ts';
import { CudaGraphs, replayShape } from './cuda-graph.ts';
import { StepRun, timeDecodeRun } from './decode-run.ts';
import type { RolePolicy } from './policy.ts';
import { Rank } from './rank.ts';
import { buildBatch, type Batch } from './batch.ts';
import { Stay } from './stay.ts';
import { Responses, streamedResponses, type ResponseKind } from './responses.ts';

/** Longest run of decode-only iterations simulated as one event. */
export const MAX_RUN_STEPS = 64;

/** What a worker needs from the simulation around it. */
export interface WorkerHost<R extends RequestView> {
  /** Call worker.endIteration(atMs, run) at `atMs` (a later call with a new `run` supersedes it). */
  scheduleIterationEnd(worker: Worker<R>, atMs: number, run: number): void;
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

  private readonly overlap: boolean;
  /** NIXL (agent) transfers: a context must fit one pre-allocated buffer (cacheFormatter.cpp). */
  private readonly agentTransfer: boolean;
  /** Overlap scheduler: responses of the previous iteration, handled during the next one (TRT-LLM
   *  processes step i's outputs in loop i + 1). */
  private finishing = new Responses<R>();
  private flushing = new Responses<R>();
  /** The iteration (or run of decode-only iterations) in flight: its batch and its steps. */
  private readonly batch: Batch<R>;
  private readonly run: StepRun;
  private readonly graphs: CudaGraphs;
  /** The shape of the iteration being timed (reused). */
  private readonly shape: StepShape = { maxAttentionMs: 0, globalTokens: 0, maxRankTokens: 0, maxRankSequences: 0 };

  constructor(o: WorkerOptions, private readonly host: WorkerHost<R>) {
    this.id = o.id;
    this.policy = o.policy;
    this.engine = o.engine;
    this.cost = o.cost;
    this.label = `${o.policy.role}${o.id}`;
    this.overlap = !o.engine.disable_overlap_scheduler;
    const backend = o.engine.cache_transceiver_config?.backend;
    this.agentTransfer = backend === 'NIXL' || backend === 'DEFAULT';
    const kv = o.engine.kv_cache_config;
    this.tokensPerBlock = kv.tokens_per_block;
    this.ranks = Array.from({ length: o.cost.ranks }, (_, i) => new Rank<R>(i, `${this.label}.r${i}`, new BlockCache(o.cost.kvCapacityBlocksPerRank, kv.enable_block_reuse)));
    this.run = new StepRun(Math.max(1, Math.floor(o.maxRunSteps ?? MAX_RUN_STEPS)));
    this.graphs = new CudaGraphs(o.engine, this.ranks.length);
    this.batch = { inFlight: [], inFlightCount: 0, decodes: new Array<number>(this.ranks.length).fill(0), context: new Array<number>(this.ranks.length).fill(0), maxAttentionMs: 0, globalTokens: 0, maxRankTokens: 0, maxRankSequences: 0, prefillTokens: 0, idleRanks: 0 };
  }

  /** Requests queued at the worker, not yet on a rank. */
  get queued(): number {
    return this.engineQueue.length;
  }

  /** KV blocks a request needs on one of this worker's ranks (prompt + the output tokens held here). */
  blocksNeeded(req: RequestView): number {
    return Math.ceil((req.inputTokens + this.policy.heldOutputTokens(req.outputTokens)) / this.tokensPerBlock);
  }

  /** Why this worker could never serve `req` (TRT-LLM refuses it at once), or null. */
  refusal(req: RequestView): { reason: EndReason; text: string } | null {
    const role = this.policy.role;
    const e = this.engine;
    const len = req.inputTokens + this.policy.heldOutputTokens(req.outputTokens);
    if (len > this.cost.maxSeqLen) return { reason: 'max_seq_len', text: `${role}: prompt + output ${len} > max_seq_len ${this.cost.maxSeqLen}` };
    if (!e.enable_chunked_prefill && this.policy.computesPrompt && req.inputTokens > e.max_num_tokens) {
      return { reason: 'max_num_tokens', text: `${role}: prompt ${req.inputTokens} > max_num_tokens ${e.max_num_tokens} without chunked prefill` };
    }
    const buffer = this.cost.transferBufferTokens;
    if (buffer > 0 && this.agentTransfer && req.inputTokens > buffer) {
      return { reason: 'transfer_buffer', text: `${role}: KV of ${req.inputTokens} tokens exceeds cache_transceiver_config.max_tokens_in_buffer ${buffer}; the NIXL backend needs all of it pre-allocated` };
    }
    const need = this.blocksNeeded(req);
    const capacity = this.ranks[0].cache.capacityBlocks;
    if (need > capacity) return { reason: 'kv_capacity', text: `${role}: needs ${need} KV blocks, a rank holds ${capacity}` };
    return null;
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

  // ---- one iteration: named steps ----

  private startIteration(nowMs: number): void {
    this.promoteArrivedKv(nowMs);
    this.placeQueued();
    for (const rank of this.ranks) this.admit(rank, nowMs);
    const b = buildBatch(this.ranks, this.engine, this.cost, this.tokensPerBlock, this.batch, nowMs);
    this.swapResponses();
    if (b.globalTokens === 0) this.idle(nowMs);
    else this.scheduleStep(nowMs, b);
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

  /** Capacity scheduler (GUARANTEED_NO_EVICT): admit waiting requests in order while slots and blocks
   *  last. A prompt is computed from its longest cached prefix (at least its last token is computed);
   *  a decode rank takes a slot and blocks and pulls the KV from the prefill worker. */
  private admit(rank: Rank<R>, nowMs: number): void {
    const tpb = this.tokensPerBlock;
    while (rank.waiting.length > 0 && rank.active.length < this.engine.max_batch_size) {
      const stay = rank.waiting[0];
      const req = stay.req;
      const maxReuse = this.policy.computesPrompt ? Math.floor((req.inputTokens - 1) / tpb) : 0;
      const alloc = rank.cache.allocate(req.blockHashes, this.blocksNeeded(req), maxReuse, req.blocksPerKey, req.lastKeyBlocks);
      if (!alloc) return;
      stay.alloc = alloc;
      rank.waiting.shift();
      rank.active.push(stay);
      rank.requests++;
      rank.promptTokens += req.inputTokens;
      if (!this.policy.computesPrompt) {
        stay.phase = 'transfer';
        stay.transferStartMs = nowMs;
        this.host.requestKv(stay, this.cost.kvTransferMs(req.inputTokens));
        continue;
      }
      stay.cachedTokens = alloc.matchedBlocks * tpb;
      stay.prefilledTokens = stay.cachedTokens;
      rank.cachedTokens += stay.cachedTokens;
      stay.phase = 'prefill';
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

  /** Nothing to compute: a CPU-only executor loop hands out pending responses, or the worker sleeps. */
  private idle(nowMs: number): void {
    this.running = this.flushing.size > 0;
    if (!this.running) return;
    this.run.endsMs[0] = this.cost.hostLoopMs;
    this.host.scheduleIterationEnd(this, this.run.begin(nowMs, 1, 0), this.run.id);
  }

  /** Time the iteration; a decode-only batch with nothing waiting repeats until its first request
   *  produces its last token (or something arrives): time every step, schedule one event. */
  private scheduleStep(nowMs: number, b: Batch<R>): void {
    // a decode-only step replays a CUDA graph (ranks padded to its batch) or runs eagerly, where idle
    // attention-DP ranks still run a dummy request through the shared MoE
    const graph = b.prefillTokens === 0 ? this.graphs.replayBatch(b.decodes) : 0;
    const ranks = this.ranks.length;
    const shape = this.shape;
    if (graph > 0) replayShape(b.maxAttentionMs, graph, ranks, shape);
    else {
      shape.maxAttentionMs = b.maxAttentionMs;
      shape.globalTokens = b.globalTokens + (ranks > 1 ? b.idleRanks : 0);
      shape.maxRankTokens = b.maxRankTokens;
      shape.maxRankSequences = Math.max(b.maxRankSequences, ranks > 1 && b.idleRanks > 0 ? 1 : 0);
    }
    const ends = this.run.endsMs;
    ends[0] = this.cost.iterationMs(shape, graph > 0);
    this.running = true;
    let steps = 1;
    if (b.prefillTokens === 0 && this.flushing.size === 0 && this.engineQueue.length === 0 && this.noneWaiting()) {
      steps = this.run.maxSteps;
      for (let i = 0; i < b.inFlightCount; i++) steps = Math.min(steps, b.inFlight[i].req.outputTokens - b.inFlight[i].generatedTokens);
      timeDecodeRun(this.run, steps, this.cost, b.decodes, b.context, shape, graph > 0);
    }
    const endMs = this.run.begin(nowMs, Math.max(1, steps), b.prefillTokens > 0 ? ends[0] : 0);
    this.host.scheduleIterationEnd(this, endMs, this.run.id);
  }

  /** The iteration (or decode run) in flight ends at `nowMs`: advance every request in it, then start the next. */
  endIteration(nowMs: number, run: number): void {
    if (run !== this.run.id) return; // superseded: the run was cut short
    const steps = this.run.steps;
    const { inFlight, inFlightCount } = this.batch;
    if (inFlightCount > 0) {
      this.iterations += steps;
      this.busyMs += this.run.durationMs;
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
