// A worker: one DEP group of attention-DP ranks stepping in lockstep. Each iteration it places new
// requests on ranks, admits them (slots + KV blocks), builds every rank's batch (decode tokens first,
// then FCFS prefill chunks in the max_num_tokens budget), and lasts as long as the cost model says
// the whole group takes. One event per iteration; every request in it advances at its end. Runs of
// identical decode-only iterations (same requests, contexts growing by one token a step) are one
// event: each step's time is still computed, and a request arriving mid-run cuts it at the next step.
import type { CostModel } from '../cost/model.ts';
import { BlockCache } from '../kv/block-cache.ts';
import type { EngineConfig } from '../scenario/schema.ts';
import { assignToRanks } from './adp.ts';
import { Rank } from './rank.ts';
import type { SimRequest } from './request.ts';

export type WorkerRole = 'agg' | 'prefill' | 'decode';

/** A response the overlap scheduler hands out one executor loop after the step that produced it. */
interface PendingResponse {
  req: SimRequest;
  kind: 'first' | 'handoff' | 'last';
}

/** Longest run of decode-only iterations simulated as one event. */
export const MAX_RUN_STEPS = 64;

/** Responses a request of `outputTokens` streams: the first token, one every `interval` steps, the last (TRT-LLM _handle_responses). */
export function streamedResponses(outputTokens: number, interval: number): number {
  if (outputTokens <= 1) return 1;
  // decoding iterations d = 1 .. outputTokens - 1; a response when d % interval == 0 or at the last one
  return 1 + Math.floor((outputTokens - 2) / interval) + 1;
}

/** What a worker needs from the simulation around it. */
export interface WorkerHost {
  /** Call worker.endIteration(atMs, run) at `atMs` (a later call with a new `run` supersedes it). */
  scheduleIterationEnd(worker: Worker, atMs: number, run: number): void;
  scheduleTransferDone(req: SimRequest, atMs: number): void;
  /** First output token is out (agg: prefill end; decode: first decode iteration). */
  firstToken(req: SimRequest, atMs: number): void;
  /** Disaggregated prefill finished: route the request to a decode rank. */
  prefillDone(req: SimRequest, atMs: number): void;
  /** Last token is out. */
  complete(req: SimRequest, atMs: number): void;
}

export interface WorkerOptions {
  id: number;
  role: WorkerRole;
  engine: EngineConfig;
  cost: CostModel;
  /** Uniform iteration-time multiplier of the platform. */
  slowdown: number;
  /** Disaggregated decode emits the first token itself (Dynamo + TRT-LLM), instead of the prefill side. */
  decodeEmitsFirstToken: boolean;
  /** Longest run of identical decode-only iterations taken as one event (1 = an event per iteration). */
  maxRunSteps?: number;
}

export class Worker {
  readonly id: number;
  readonly role: WorkerRole;
  readonly engine: EngineConfig;
  readonly ranks: Rank[];
  /** Requests that arrived without a DP rank: TRT-LLM's ADP places them at the next iteration. */
  readonly engineQueue: SimRequest[] = [];
  readonly tokensPerBlock: number;
  running = false;

  // statistics
  iterations = 0;
  busyMs = 0;
  prefillIterations = 0;
  /** Time spent in iterations that carry prefill chunks, ms. */
  prefillBusyMs = 0;

  private readonly cost: CostModel;
  private readonly slowdown: number;
  private readonly decodeEmitsFirstToken: boolean;
  private readonly overlap: boolean;
  private readonly attentionShare: number;
  /** Decode-only iterations with at most this many requests per rank replay a CUDA graph. */
  private readonly cudaGraphMaxBatch: number;
  /** Requests scheduled in the iteration in flight (plannedTokens > 0). */
  private inFlight: SimRequest[] = [];
  /** Overlap scheduler: responses of the previous iteration (first token, prefill hand-off, last token),
   *  handled during the next one (TRT-LLM processes step i's outputs in loop i + 1). */
  private finishing: PendingResponse[] = [];
  private flushing: PendingResponse[] = [];
  // the iteration (or run of decode-only iterations) in flight
  private run = 0;
  private runStartMs = 0;
  private runSteps = 1;
  /** End time of each step of the run, relative to its start, ms. */
  private readonly runEndsMs: Float64Array;
  private readonly maxRunSteps: number;
  private runPrefillMs = 0;
  /** Decode requests per rank and their mean context at the run's first step. */
  private readonly rankDecodes: number[];
  private readonly rankContext: number[];

  constructor(o: WorkerOptions, private readonly host: WorkerHost) {
    this.id = o.id;
    this.role = o.role;
    this.engine = o.engine;
    this.cost = o.cost;
    this.slowdown = o.slowdown;
    this.decodeEmitsFirstToken = o.decodeEmitsFirstToken;
    this.overlap = !o.engine.disable_overlap_scheduler;
    const g = o.engine.cuda_graph_config;
    this.cudaGraphMaxBatch = g === null ? 0 : (g.max_batch_size ?? o.engine.max_batch_size);
    const kv = o.engine.kv_cache_config;
    this.tokensPerBlock = kv.tokens_per_block;
    const dp = o.engine.enable_attention_dp ? o.engine.tensor_parallel_size : 1;
    // without attention DP, attention is tensor-parallel over all GPUs of the group
    this.attentionShare = o.engine.enable_attention_dp ? 1 : 1 / o.engine.tensor_parallel_size;
    // without attention DP the group's KV is spread over its GPUs, unless every GPU holds all of it (MLA)
    const kvSpread = o.engine.enable_attention_dp || o.cost.spec.architecture.kvReplicatedAcrossTp ? 1 : o.engine.tensor_parallel_size;
    const capacity = o.cost.kvCapacityBlocks(kv.free_gpu_memory_fraction, kv.tokens_per_block) * kvSpread;
    this.ranks = Array.from({ length: dp }, (_, i) => new Rank(this, i, new BlockCache(capacity, kv.enable_block_reuse)));
    this.maxRunSteps = Math.max(1, Math.floor(o.maxRunSteps ?? MAX_RUN_STEPS));
    this.runEndsMs = new Float64Array(this.maxRunSteps);
    this.rankDecodes = new Array<number>(dp).fill(0);
    this.rankContext = new Array<number>(dp).fill(0);
  }

  get label(): string {
    return `${this.role}${this.id}`;
  }

  /** KV blocks a request needs on this worker's rank (prompt + tokens it will generate here). */
  blocksNeeded(req: SimRequest): number {
    const extra = this.role === 'prefill' ? 1 : req.outputTokens;
    return Math.ceil((req.inputTokens + extra) / this.tokensPerBlock);
  }

  /** A request reaches this worker, pinned to `rank` or left to the engine's ADP placement. */
  enqueue(req: SimRequest, rank: Rank | null, nowMs: number): void {
    if (rank) this.placeOn(req, rank);
    else {
      req.phase = this.role === 'decode' ? 'handoff' : 'engine-queue';
      this.engineQueue.push(req);
    }
    this.wake(nowMs);
  }

  /** Something changed for this worker: start an iteration now if idle, else end a decode run at its next step. */
  wake(nowMs: number): void {
    if (!this.running) this.startIteration(nowMs);
    else if (this.runSteps > 1) {
      // the first step that ends at or after now is the last one of the run
      let j = 0;
      while (j < this.runSteps - 1 && this.runStartMs + this.runEndsMs[j] < nowMs) j++;
      if (j + 1 < this.runSteps) {
        this.runSteps = j + 1;
        this.host.scheduleIterationEnd(this, this.runStartMs + this.runEndsMs[j], ++this.run);
      }
    }
  }

  private placeOn(req: SimRequest, rank: Rank): void {
    if (this.role === 'decode') {
      req.decodeRank = rank;
      req.phase = 'handoff';
    } else {
      req.prefillRank = rank;
      req.phase = 'rank-queue';
    }
    rank.waiting.push(req);
    rank.assignedPromptTokens += req.inputTokens;
  }

  /** Remove a request wherever it is on this worker and free what it holds here (timeouts). */
  cancel(req: SimRequest): void {
    const q = this.engineQueue.indexOf(req);
    if (q >= 0) this.engineQueue.splice(q, 1);
    for (const rank of this.ranks) {
      const w = rank.waiting.indexOf(req);
      const a = rank.active.indexOf(req);
      if (w >= 0) rank.waiting.splice(w, 1);
      if (a >= 0) rank.active.splice(a, 1);
      if (w >= 0 || a >= 0) rank.assignedPromptTokens -= req.inputTokens;
    }
  }

  private startIteration(nowMs: number): void {
    // KV arrived: the decode engine re-emits the first token before the step; a single-token output
    // is then done, and its slot and blocks are free for placement and admission below
    for (const rank of this.ranks) {
      for (let i = 0; i < rank.active.length; i++) {
        const req = rank.active[i];
        if (req.phase !== 'decode-ready') continue;
        req.phase = 'decode';
        req.decodeStartMs = nowMs;
        if (this.decodeEmitsFirstToken) this.host.firstToken(req, nowMs);
        if (req.generatedTokens >= req.outputTokens) {
          this.finish(rank, req, nowMs);
          i--;
        }
      }
    }
    if (this.engineQueue.length > 0) {
      for (const p of assignToRanks(this.engineQueue, this.ranks, this.engine.max_batch_size)) this.placeOn(p.req, p.rank);
    }
    const inFlight = this.inFlight; // emptied by endIteration; reused to spare the garbage collector
    let maxAttentionMs = 0;
    let globalTokens = 0;
    let maxRankTokens = 0;
    let prefillTokens = 0;
    for (const rank of this.ranks) {
      this.admit(rank, nowMs);
      let rankTokens = 0;
      let attentionMs = 0;
      // decode tokens first (they also take a batch slot each)
      let decodes = 0;
      let decodeContext = 0;
      for (const req of rank.active) {
        if (req.phase === 'decode') {
          req.plannedTokens = 1;
          decodes++;
          decodeContext += req.inputTokens + req.generatedTokens;
          inFlight.push(req);
        }
      }
      rankTokens += decodes;
      this.rankDecodes[rank.index] = decodes;
      this.rankContext[rank.index] = decodes > 0 ? decodeContext / decodes : 0;
      if (decodes > 0) attentionMs += this.cost.decodeAttentionMs(decodes, decodeContext / decodes);
      // prefill chunks, first come first served, in the remaining token budget
      let budget = this.engine.max_num_tokens - decodes;
      const unit = this.tokensPerBlock;
      for (const req of rank.active) {
        if (req.phase !== 'prefill' || budget <= 0) continue;
        const remaining = req.inputTokens - req.prefilledTokens;
        let chunk: number;
        if (this.engine.enable_chunked_prefill) {
          chunk = Math.min(remaining, budget);
          if (chunk < remaining) chunk -= chunk % unit;
          if (chunk <= 0) break;
        } else {
          if (remaining > budget) break;
          chunk = remaining;
        }
        if (Number.isNaN(req.prefillStartMs)) req.prefillStartMs = nowMs;
        req.plannedTokens = chunk;
        budget -= chunk;
        rankTokens += chunk;
        prefillTokens += chunk;
        attentionMs += this.cost.prefillAttentionMs(req.prefilledTokens, chunk);
        inFlight.push(req);
      }
      if (rankTokens > 0) rank.busyIterations++;
      globalTokens += rankTokens;
      if (rankTokens > maxRankTokens) maxRankTokens = rankTokens;
      attentionMs *= this.attentionShare;
      if (attentionMs > maxAttentionMs) maxAttentionMs = attentionMs;
    }
    // swap the two lists (both reused): what finished last iteration is flushed at the end of this one
    const flushing = this.finishing;
    this.finishing = this.flushing;
    this.flushing = flushing;
    if (globalTokens === 0) {
      if (this.flushing.length > 0) {
        // no GPU step to hide behind: the executor loop handles the responses on the CPU alone
        this.running = true;
        this.runStartMs = nowMs;
        this.runSteps = 1;
        this.runPrefillMs = 0;
        this.host.scheduleIterationEnd(this, nowMs + this.cost.params.hostOverheadMs * this.slowdown, ++this.run);
        return;
      }
      this.running = false;
      return;
    }
    const cudaGraph = prefillTokens === 0 && maxRankTokens <= this.cudaGraphMaxBatch;
    const backend = this.engine.moe_config.backend;
    const durationMs = this.cost.iterationMs({ maxAttentionMs, globalTokens, maxRankTokens }, backend, this.overlap, cudaGraph) * this.slowdown;
    this.running = true;
    this.runStartMs = nowMs;
    this.runEndsMs[0] = durationMs;
    this.runPrefillMs = prefillTokens > 0 ? durationMs : 0;
    // A decode-only batch with nothing waiting repeats until its first request produces its last token
    // (or something arrives): time every step, schedule one event.
    let steps = 1;
    if (prefillTokens === 0 && this.flushing.length === 0 && this.engineQueue.length === 0 && this.ranks.every((r) => r.waiting.length === 0)) {
      steps = this.maxRunSteps;
      for (const req of inFlight) steps = Math.min(steps, req.outputTokens - req.generatedTokens);
      const shape = { maxAttentionMs: 0, globalTokens, maxRankTokens };
      // each rank's decode attention is linear in its mean context between table rows
      const lines = this.ranks.map((_, r) => (this.rankDecodes[r] > 0 ? this.cost.decodeAttentionLine(this.rankDecodes[r], this.rankContext[r]) : null));
      const anchors = this.rankContext.slice();
      for (let j = 1; j < steps; j++) {
        let maxAttn = 0;
        for (let r = 0; r < lines.length; r++) {
          let line = lines[r];
          if (line === null) continue;
          const ctx = this.rankContext[r] + j;
          if (ctx >= line.untilContextTokens) {
            line = lines[r] = this.cost.decodeAttentionLine(this.rankDecodes[r], ctx);
            anchors[r] = ctx;
          }
          const attn = (line.valueMs + line.slopeMs * (ctx - anchors[r])) * this.attentionShare;
          if (attn > maxAttn) maxAttn = attn;
        }
        shape.maxAttentionMs = maxAttn;
        this.runEndsMs[j] = this.runEndsMs[j - 1] + this.cost.iterationMs(shape, backend, this.overlap, cudaGraph) * this.slowdown;
      }
    }
    this.runSteps = Math.max(1, steps);
    this.host.scheduleIterationEnd(this, nowMs + this.runEndsMs[this.runSteps - 1], ++this.run);
  }

  /** Capacity scheduler (GUARANTEED_NO_EVICT): admit waiting requests in order while slots and blocks last. */
  private admit(rank: Rank, nowMs: number): void {
    const tpb = this.tokensPerBlock;
    while (rank.waiting.length > 0 && rank.active.length < this.engine.max_batch_size) {
      const req = rank.waiting[0];
      const need = this.blocksNeeded(req);
      if (this.role === 'decode') {
        const alloc = rank.cache.allocate(req.blockHashes, need, 0, req.blocksPerKey, req.lastKeyBlocks);
        if (!alloc) return;
        req.decodeAlloc = alloc;
        rank.waiting.shift();
        rank.active.push(req);
        req.phase = 'transfer';
        req.transferStartMs = nowMs;
        this.host.scheduleTransferDone(req, nowMs + this.cost.kvTransferMs(req.inputTokens));
        continue;
      }
      // at least the last prompt token is always computed
      const maxReuse = Math.floor((req.inputTokens - 1) / tpb);
      const alloc = rank.cache.allocate(req.blockHashes, need, maxReuse, req.blocksPerKey, req.lastKeyBlocks);
      if (!alloc) return;
      req.prefillAlloc = alloc;
      req.cachedTokens = alloc.matchedBlocks * tpb;
      req.prefilledTokens = req.cachedTokens;
      rank.waiting.shift();
      rank.active.push(req);
      rank.requests++;
      rank.promptTokens += req.inputTokens;
      rank.cachedTokens += req.cachedTokens;
      req.phase = 'prefill';
    }
  }

  /** The iteration (or decode run) in flight ends at `nowMs`: advance every request in it, then start the next. */
  endIteration(nowMs: number, run: number): void {
    if (run !== this.run) return; // superseded: the run was cut short
    const tpb = this.tokensPerBlock;
    const steps = this.runSteps;
    if (this.inFlight.length > 0) {
      this.iterations += steps;
      this.busyMs += this.runEndsMs[steps - 1];
      if (this.runPrefillMs > 0) {
        this.prefillIterations++;
        this.prefillBusyMs += this.runPrefillMs;
      }
      for (const rank of this.ranks) if (this.rankDecodes[rank.index] > 0) rank.busyIterations += steps - 1;
    }
    for (const req of this.inFlight) {
      const planned = req.plannedTokens;
      req.plannedTokens = 0;
      if (req.phase === 'prefill') {
        const rank = req.prefillRank!;
        req.prefilledTokens += planned;
        rank.cache.register(req.prefillAlloc!, req.blockHashes, Math.floor(req.prefilledTokens / tpb), req.blocksPerKey, req.lastKeyBlocks);
        if (req.prefilledTokens < req.inputTokens) continue;
        req.prefillEndMs = nowMs;
        req.generatedTokens = 1; // the last prefill step samples the first output token
        if (this.role === 'prefill') {
          req.phase = 'handoff';
          if (this.overlap) this.finishing.push({ req, kind: 'handoff' });
          else this.handOff(rank, req, nowMs);
        } else {
          req.phase = 'decode';
          req.decodeStartMs = nowMs;
          if (this.overlap) this.finishing.push({ req, kind: 'first' });
          else this.host.firstToken(req, nowMs);
          if (req.generatedTokens >= req.outputTokens) this.lastToken(rank, req, nowMs);
        }
      } else if (req.phase === 'decode') {
        req.generatedTokens += steps;
        if (req.generatedTokens >= req.outputTokens) this.lastToken((this.role === 'decode' ? req.decodeRank : req.prefillRank)!, req, nowMs);
      }
      // any other phase: cancelled while the iteration ran
    }
    this.inFlight.length = 0;
    for (const { req, kind } of this.flushing) {
      if (kind === 'last') {
        if (req.phase === 'finishing') this.finish((this.role === 'decode' ? req.decodeRank : req.prefillRank)!, req, nowMs);
      } else if (kind === 'first') {
        if (!req.finished) this.host.firstToken(req, nowMs);
      } else if (req.phase === 'handoff') this.handOff(req.prefillRank!, req, nowMs);
    }
    this.flushing.length = 0;
    this.startIteration(nowMs);
  }

  /** The last token is computed: done now, or with the next loop under the overlap scheduler. */
  private lastToken(rank: Rank, req: SimRequest, nowMs: number): void {
    if (this.overlap) {
      req.phase = 'finishing';
      this.finishing.push({ req, kind: 'last' });
    } else this.finish(rank, req, nowMs);
  }

  /** Prefill done on a prefill worker: the slot is free; KV blocks stay until the transfer completes. */
  private handOff(rank: Rank, req: SimRequest, nowMs: number): void {
    rank.active.splice(rank.active.indexOf(req), 1);
    rank.assignedPromptTokens -= req.inputTokens;
    this.host.prefillDone(req, nowMs);
  }

  /** Last token out: free the slot and the blocks on this rank. */
  private finish(rank: Rank, req: SimRequest, nowMs: number): void {
    rank.active.splice(rank.active.indexOf(req), 1);
    rank.assignedPromptTokens -= req.inputTokens;
    const alloc = this.role === 'decode' ? req.decodeAlloc : req.prefillAlloc;
    if (alloc) rank.cache.release(alloc);
    if (this.role === 'decode') req.decodeAlloc = null;
    else req.prefillAlloc = null;
    req.responses = streamedResponses(req.outputTokens, this.engine.stream_interval);
    this.host.complete(req, nowMs);
  }
}
