// Test helpers: synthetic TraceRequest arrays, tiny validated scenarios, a run wrapper and hand-built iteration times.
import { loadCostModel } from '../src/cost/load.ts';
import { CostModel, type StepShape } from '../src/cost/model.ts';
import { WorkerCost } from '../src/cost/worker-cost.ts';
import { SimRequest } from '../src/engine/request.ts';
import { Simulation } from '../src/engine/simulation.ts';
import { BlockCache } from '../src/kv/block-cache.ts';
import { summarize } from '../src/metrics/summary.ts';
import type { RequestRecord } from '../src/protocol/records.ts';
import type { SimulationResult } from '../src/protocol/result.ts';
import type { RequestView, RouterContext, TargetView } from '../src/protocol/router.ts';
import type { Summary } from '../src/protocol/summary.ts';
import { TRACE_BLOCK_TOKENS, type TraceRequest } from '../src/protocol/trace.ts';
import { validateScenario } from '../src/scenario/load.ts';
import { engineSchema, type Scenario } from '../src/scenario/schema.ts';
import { makeRng } from '../src/util/random.ts';

export const MODEL = 'gb200-dsv32-nvfp4-trtllm';

/** The real cost model (loaded once per test file). */
export const cost: CostModel = loadCostModel(MODEL);

/** KV bytes per token of the real model's fp8 cache (MLA latent + DSA indexer K). */
export const KV_BYTES_PER_TOKEN = cost.spec.architecture.kvBytesPerToken + cost.spec.architecture.indexerKBytesPerToken;

/** The real cost model with a different prefill → decode KV transfer time of a `tokens`-token context. */
export function costWithTransfer(transferMs: (tokens: number) => number): CostModel {
  return new (class extends CostModel {
    override kvTransferMs(bytes: number): number {
      return transferMs(bytes / KV_BYTES_PER_TOKEN);
    }
  })(structuredClone(cost.spec), structuredClone(cost.calibration));
}

export interface Row {
  /** scheduled time, ms */
  t: number;
  isl: number;
  osl: number;
  /** trace hash ids (one per 512 tokens); default: ids unique to this request */
  ids?: number[];
}

/** Build a trace: ids are positions; hash ids default to values no other request shares. */
export function makeTrace(rows: readonly Row[]): TraceRequest[] {
  return rows.map((r, id) => ({
    id,
    timestampMs: r.t,
    inputTokens: r.isl,
    outputTokens: r.osl,
    hashIds: r.ids ?? uniqueIds(id, r.isl),
  }));
}

/** Hash ids that no other request of a makeTrace trace shares. */
export function uniqueIds(seed: number, isl: number): number[] {
  return Array.from({ length: Math.ceil(isl / TRACE_BLOCK_TOKENS) }, (_, k) => 1_000_000 * (seed + 1) + k);
}

type Obj = Record<string, unknown>;

export interface EngineOpts {
  /**
   * attention-DP ranks: DEP-ranks (tensor_parallel_size = moe_expert_parallel_size = ranks, attention
   * DP), default 4; 1 = one TEP8 rank (DeepSeek's weights need at least 4 GPUs).
   */
  ranks?: number;
  max_batch_size?: number;
  max_num_tokens?: number;
  max_seq_len?: number;
  enable_chunked_prefill?: boolean;
  disable_overlap_scheduler?: boolean;
  stream_interval?: number;
  backend?: string;
  reuse?: boolean;
  free_gpu_memory_fraction?: number;
  /** engine cuda_graph_config (default: graphs on with padding, as the seed's engines) */
  cuda_graph_config?: Obj | null;
  /** engine cache_transceiver_config (disaggScenario default: UCX, 120000-token buffers, as the seed's) */
  cache_transceiver_config?: Obj;
}

export function engine(o: EngineOpts = {}): Obj {
  const ranks = o.ranks ?? 4;
  const gpus = ranks === 1 ? 8 : ranks;
  return {
    tensor_parallel_size: gpus,
    moe_expert_parallel_size: gpus,
    enable_attention_dp: ranks > 1,
    max_batch_size: o.max_batch_size ?? 8,
    max_num_tokens: o.max_num_tokens ?? 8192,
    max_seq_len: o.max_seq_len ?? 121000,
    enable_chunked_prefill: o.enable_chunked_prefill ?? true,
    disable_overlap_scheduler: o.disable_overlap_scheduler ?? true,
    stream_interval: o.stream_interval ?? 1,
    moe_config: { backend: o.backend ?? 'TRTLLM' },
    cuda_graph_config: o.cuda_graph_config !== undefined ? o.cuda_graph_config : { enable_padding: true },
    ...(o.cache_transceiver_config ? { cache_transceiver_config: o.cache_transceiver_config } : {}),
    kv_cache_config: {
      enable_block_reuse: o.reuse ?? false,
      tokens_per_block: 64,
      free_gpu_memory_fraction: o.free_gpu_memory_fraction ?? 0.9,
    },
  };
}

export interface CommonOpts {
  name?: string;
  client?: Obj;
  router?: Obj;
  platform?: Obj;
}

/** `count` aggregated workers (default 1) with `engine.ranks` ranks each (default 4). */
export function aggScenario(o: CommonOpts & { count?: number; engine?: EngineOpts } = {}): Scenario {
  return validateScenario(
    {
      name: o.name ?? 'test-agg',
      model: MODEL,
      client: o.client ?? {},
      router: o.router ?? {},
      platform: o.platform ?? {},
      workers: { agg: { count: o.count ?? 1, engine: engine(o.engine) } },
    },
    'test-agg.yaml',
  );
}

const SEED_TRANSCEIVER = { backend: 'UCX', max_tokens_in_buffer: 120000 };

/** 1 prefill + 1 decode worker by default (overlap on for decode, as in the recipe). */
export function disaggScenario(
  o: CommonOpts & { prefill?: EngineOpts; decode?: EngineOpts; prefillCount?: number; decodeCount?: number; firstTokenFrom?: 'prefill' | 'decode' } = {},
): Scenario {
  return validateScenario(
    {
      name: o.name ?? 'test-disagg',
      model: MODEL,
      client: o.client ?? {},
      router: o.router ?? {},
      platform: o.platform ?? {},
      disaggregation: { first_token_from: o.firstTokenFrom ?? 'prefill' },
      workers: {
        prefill: { count: o.prefillCount ?? 1, engine: engine({ cache_transceiver_config: SEED_TRANSCEIVER, ...o.prefill }) },
        decode: { count: o.decodeCount ?? 1, engine: engine({ disable_overlap_scheduler: false, cache_transceiver_config: SEED_TRANSCEIVER, ...o.decode }) },
      },
    },
    'test-disagg.yaml',
  );
}

export interface Run {
  result: SimulationResult;
  summary: Summary;
  records: RequestRecord[];
  /** record of trace request `id` */
  rec: (id: number) => RequestRecord;
}

/** Run a simulation (accounting is checked by Simulation.run itself). */
export function runSim(scenario: Scenario, trace: readonly TraceRequest[], opts: { seed?: string; cost?: CostModel } = {}): Run {
  const seed = opts.seed ?? '1';
  const sim = new Simulation(trace, { scenario, cost: opts.cost ?? cost, seed });
  const result = sim.run();
  const summary = summarize(result, { scenario: scenario.name, seed, workload: 'synthetic' });
  const byId = new Map(result.records.map((r) => [r.id, r]));
  return {
    result,
    summary,
    records: result.records,
    rec: (id) => {
      const r = byId.get(id);
      if (!r) throw new Error(`no record for request ${id}`);
      return r;
    },
  };
}

// ---- iteration times built by hand from the cost model (what a worker should charge) ----

export interface IterOpts {
  backend?: string;
  /** overlap scheduler on (default off, as the test engines) */
  overlap?: boolean;
  /** decode-only iteration replayed as a CUDA graph */
  cudaGraph?: boolean;
  model?: CostModel;
  /** attention-DP ranks of the worker (default 4, as the test engines; 1 = one TEP8 rank): idle ones run a dummy request */
  ranks?: number;
}

/** The cost of one agg worker with the test engine's settings (`ranks` DP ranks). */
export function workerCost(o: IterOpts = {}): WorkerCost {
  const e = engineSchema.parse(engine({ ranks: o.ranks, backend: o.backend, disable_overlap_scheduler: !(o.overlap ?? false) }));
  return new WorkerCost(o.model ?? cost, { role: 'agg', engine: e, platform: 'generic', iterationSlowdown: 1 });
}

export function iter(shape: Omit<StepShape, 'maxRankSequences'> & { maxRankSequences?: number }, o: IterOpts = {}): number {
  return workerCost(o).iterationMs({ maxRankSequences: 1, ...shape }, o.cudaGraph ?? false);
}

/** Prefill attention of a chunk on one rank of the test engine, ms. */
export function prefillAttn(start: number, n: number, o: IterOpts = {}): number {
  return workerCost(o).prefillAttentionMs(start, n);
}

/** Decode attention of `requests` requests at mean KV length `context` on one rank of the test engine, ms. */
export function decodeAttn(requests: number, context: number, o: IterOpts = {}): number {
  return workerCost(o).decodeAttentionMs(requests, context);
}

/** An iteration holding only one prefill chunk of `n` tokens starting at prompt position `start`
 *  (eager; every other rank runs one dummy request). */
export function prefillIter(start: number, n: number, o: IterOpts = {}): number {
  const idle = (o.ranks ?? 4) - 1;
  return iter({ maxAttentionMs: prefillAttn(start, n, o), globalTokens: n + idle, maxRankTokens: n }, { ...o, cudaGraph: false });
}

/** A decode-only iteration of one request whose KV length is `context`: a CUDA graph of batch 1 on
 *  every rank by default (the others pad with a dummy), or eager with one dummy per idle rank. */
export function decodeIter(context: number, o: IterOpts = {}): number {
  const ranks = o.ranks ?? 4;
  return iter({ maxAttentionMs: decodeAttn(1, context, o), globalTokens: ranks, maxRankTokens: 1 }, { cudaGraph: true, ...o });
}

/** Prefill chunks of an isolated prompt: max_num_tokens-sized, then the remainder. */
export function chunks(isl: number, maxNumTokens = 8192, cached = 0): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = cached; s < isl; s += maxNumTokens) out.push([s, Math.min(maxNumTokens, isl - s)]);
  return out;
}

export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** TTFT of a lone request on an idle agg worker (no cache hit). */
export function loneTtft(isl: number, o: IterOpts & { maxNumTokens?: number; cached?: number; ranks?: number } = {}): number {
  return sum(chunks(isl, o.maxNumTokens, o.cached).map(([s, n]) => prefillIter(s, n, o)));
}

/** Decode time of a lone agg request after its first token (osl − 1 iterations). */
export function loneDecode(isl: number, osl: number, o: IterOpts = {}): number {
  let t = 0;
  for (let g = 1; g < osl; g++) t += decodeIter(isl + g, o);
  return t;
}

// ---- router contexts over stand-in ranks (real block caches, no workers) ----

/** A router pool of `ranksPerWorker` ranks with real BlockCaches; `clock.now` drives ctx.now(). */
export function routerPool(ranksPerWorker: number[], o: { capacityBlocks?: number; blockTokens?: number; seed?: string } = {}) {
  const caches = ranksPerWorker.map((n) => Array.from({ length: n }, () => new BlockCache(o.capacityBlocks ?? 1000, true)));
  const clock = { now: 0 };
  const targets: TargetView[] = [];
  caches.forEach((ranks, wi) =>
    ranks.forEach((c, ri) =>
      targets.push({
        worker: wi,
        rank: ri,
        label: `w${wi}.r${ri}`,
        overlapBlocks: (req: RequestView) => req.blocksInUnits(c.matchPrefix(req.blockHashes)),
        activeRequests: 0,
        queuedRequests: 0,
        freeSlots: 8,
        get kvUsedBlocks() {
          return c.usedBlocks;
        },
        kvCapacityBlocks: c.capacityBlocks,
        pendingPrefillTokens: 0,
      }),
    ),
  );
  const flat = caches.flat();
  const ctx: RouterContext = {
    targets,
    workerRanks: ranksPerWorker,
    blockTokens: o.blockTokens ?? 16,
    random: makeRng(o.seed ?? 'router-test'),
    now: () => clock.now,
    onKvEvents: (i, listener) => flat[i].onEvent(listener),
    cachedPrefix: (i, keys) => flat[i].matchPrefix(keys),
    cachedKeys: (i) => flat[i].cachedUnits,
  };
  return { ctx, clock, cache: (w: number, r = 0) => caches[w][r] };
}

/** A request as routers see it, with its prompt's block keys given directly (one block per key). */
export function routedRequest(id: number, blockHashes: number[], inputTokens = blockHashes.length * 16, outputTokens = 8): SimRequest {
  const r = new SimRequest({ id, timestampMs: 0, inputTokens, outputTokens, hashIds: [] }, 0);
  r.blockHashes = blockHashes;
  return r;
}

/** KV transfer of a `tokens`-token context to a decode rank with the test engine's fp8 cache, ms. */
export function transferMs(tokens: number, model: CostModel = cost): number {
  return workerCost({ model }).kvTransferMs(tokens);
}

/** The error `f` throws (fails the test if it returns). */
export function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
