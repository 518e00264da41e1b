// A cost model bound to one worker group: its parallelism (DEP-n / TEP-n), MoE backend and
// communication, KV dtype and capacity, overlap scheduler and platform slowdown, derived once.
// Everything a worker asks the cost model goes through here; settings the model has no data for stop
// here with one line naming the scenario key, and lookups past a table's rows end up in `notes`.
import type { Role } from '../protocol/roles.ts';
import type { EngineConfig, WorkerEnv } from '../scenario/schema.ts';
import { inputError } from '../util/errors.ts';
import type { Bilinear2D, Cumulative1D, RowLine } from './interp.ts';
import { IterationOps, type CostPart } from './iteration.ts';
import { kvCapacityBlocks, memoryUse, type MemoryUse } from './memory.ts';
import type { CostModel, StepShape } from './model.ts';
import { resolveParallelism, type Parallelism } from './parallelism.ts';
import { Tracks, type Track } from './track.ts';

export interface WorkerCostOptions {
  role: Role;
  engine: EngineConfig;
  /** The group's environment (TRTLLM_FORCE_COMM_METHOD). */
  env?: WorkerEnv;
  /** Scenario platform.name and platform.iteration_slowdown. */
  platform: string;
  iterationSlowdown: number;
}

/** Pre-allocated transfer buffers per rank: send (TRTLLM_KVCACHE_SEND_MAX_CONCURRENCY_NUM) and receive
 *  (TRTLLM_KVCACHE_RECV_BUFFER_COUNT without TRTLLM_REQUEST_KV_CACHE_CONCURRENT) defaults. */
export const TRANSFER_SEND_BUFFERS = 2;
export const TRANSFER_RECV_BUFFERS = 1;
/** Size of one transfer buffer when max_tokens_in_buffer is unset (TRTLLM_KVCACHE_TRANSFER_BUFFER_SIZE). */
const DEFAULT_TRANSFER_BUFFER_BYTES = 512 * 2 ** 20;
/** One iteration split into what servesim charges for it, ms after calibration scales and slowdown. */
export interface IterationBreakdown {
  attentionMs: number;
  moeMs: number;
  commMs: number;
  denseMs: number;
  hostMs: number;
  totalMs: number;
  cudaGraph: boolean;
  /** The non-attention table lookups behind moeMs, commMs and denseMs. */
  parts: CostPart[];
}

/** Decode attention of a rank as a line in its mean context: valueMs + slopeMs · (context − start), exact below untilContextTokens. */
export interface DecodeLine {
  valueMs: number;
  slopeMs: number;
  untilContextTokens: number;
}

/** Bytes per element of each kv_cache_config.dtype servesim models. */
const KV_DTYPE_BYTES: Record<string, number> = { fp8: 1, bf16: 2 };

export class WorkerCost {
  /** Attention-DP ranks of the group (1 with tensor-parallel attention). */
  readonly ranks: number;
  readonly kvCapacityBlocksPerRank: number;
  /** KV bytes per token on a rank (attention cache at the engine's dtype + DSA indexer K). */
  readonly kvBytesPerToken: number;
  /** A response-only executor loop (no GPU step to hide behind), ms. */
  readonly hostLoopMs: number;
  /** max_seq_len, or the model's max_position_embeddings when the engine does not set it (TRT-LLM's default). */
  readonly maxSeqLen: number;
  /** Tokens of KV one transfer buffer holds (0 without a cache transceiver). */
  readonly transferBufferTokens: number;
  readonly parallelism: Parallelism;
  readonly memory: MemoryUse;
  private readonly fixedNotes: string[];
  private readonly tracks = new Tracks();
  private readonly slowdown: number;
  private readonly overlap: boolean;
  private readonly layers: number;
  private readonly ctx: Cumulative1D;
  private readonly gen: Bilinear2D;
  private readonly ctxTrack: Track;
  private readonly genCtxTrack: Track;
  private readonly genBatchTrack: Track;
  readonly ops: IterationOps;
  /** The non-attention part by packed (global tokens, rank tokens, sequences, CUDA graph): a pool sees few distinct shapes. */
  private readonly restCache = new Map<number, number>();
  /** The last restMs answer (a decode pool asks for the same shape run after run). */
  private lastRestKey = -1;
  private lastRest = 0;
  /** Scratch of decodeAttentionLine. */
  private readonly rowLine: RowLine = { valueAt: 0, slope: 0, untilR: 0 };

  constructor(
    private readonly model: CostModel,
    o: WorkerCostOptions,
  ) {
    const e = o.engine;
    const field = `workers.${o.role}.engine`;
    const p = (this.parallelism = resolveParallelism(model, o.role, e, o.env ?? {}));
    this.fixedNotes = [...p.notes];
    this.slowdown = model.platformSlowdown(o.platform, o.role) * o.iterationSlowdown;
    this.overlap = !e.disable_overlap_scheduler;
    this.ranks = p.ranks;
    const arch = model.spec.architecture;
    this.layers = arch.layers;
    this.maxSeqLen = e.max_seq_len ?? arch.maxPositionEmbeddings;
    if (this.maxSeqLen > arch.maxPositionEmbeddings) throw inputError({ field: `${field}.max_seq_len` }, `${this.maxSeqLen} exceeds the ${arch.maxPositionEmbeddings} positions of ${model.name} (max_position_embeddings); supported: up to ${arch.maxPositionEmbeddings}`);
    const asked: string = e.kv_cache_config.dtype;
    const dtype = asked === 'auto' ? arch.autoKvCacheDtype : asked;
    const bytes = KV_DTYPE_BYTES[dtype];
    if (bytes === undefined) throw inputError({ field: `${field}.kv_cache_config.dtype` }, `'${asked}': cost model ${model.name} has no attention data for a ${dtype} KV cache; supported: auto (${arch.autoKvCacheDtype}), ${arch.kvCacheDtype}`);
    this.kvBytesPerToken = (arch.kvBytesPerToken * bytes) / KV_DTYPE_BYTES[arch.kvCacheDtype] + arch.indexerKBytesPerToken;
    if (dtype !== arch.kvCacheDtype) {
      this.fixedNotes.push(`${o.role}: kv_cache_config.dtype ${dtype}: KV capacity and transfer use ${bytes}-byte elements; attention times come from the model's ${arch.kvCacheDtype}-KV tables`);
    }
    const mem = (this.memory = memoryUse(model.spec, p, e.max_num_tokens));
    const gb = (b: number) => `${(b / 1e9).toFixed(1)} GB`;
    if (mem.freeBytes <= 0) {
      // without room for weights and runtime, no max_num_tokens fits: the parallelism is what to change
      const f = mem.weightsBytes + mem.otherBytes + mem.ncclBytes >= model.spec.memory.hbmBytesPerGpu ? `${field}.moe_expert_parallel_size` : `${field}.max_num_tokens`;
      throw inputError({ field: f }, `${p.label}: weights ${gb(mem.weightsBytes)} + activations ${gb(mem.activationBytes)} + runtime ${gb(mem.otherBytes + mem.ncclBytes)} per GPU exceed its ${gb(model.spec.memory.hbmBytesPerGpu)}; use more expert parallelism`);
    }
    const kv = e.kv_cache_config;
    // the transceiver's buffers hold max_tokens_in_buffer + one block of the rank's KV each
    const t = e.cache_transceiver_config;
    const bufferBytes = t === undefined ? 0 : t.max_tokens_in_buffer !== undefined ? (t.max_tokens_in_buffer + kv.tokens_per_block) * this.kvBytesPerToken : DEFAULT_TRANSFER_BUFFER_BYTES;
    this.transferBufferTokens = t === undefined ? 0 : (t.max_tokens_in_buffer ?? Math.floor(DEFAULT_TRANSFER_BUFFER_BYTES / this.kvBytesPerToken));
    // without attention DP the group's KV is spread over its GPUs, unless every GPU holds all of it (MLA)
    const kvSpread = e.enable_attention_dp || arch.kvReplicatedAcrossTp ? 1 : e.tensor_parallel_size;
    this.kvCapacityBlocksPerRank =
      kvCapacityBlocks(mem, kv.free_gpu_memory_fraction, this.kvBytesPerToken, kv.tokens_per_block, bufferBytes * (TRANSFER_SEND_BUFFERS + TRANSFER_RECV_BUFFERS)) * kvSpread;
    if (this.kvCapacityBlocksPerRank <= 0) throw inputError({ field: `${field}.kv_cache_config.free_gpu_memory_fraction` }, `leaves no KV cache on a GPU (weights and reserve fill the HBM)`);
    this.hostLoopMs = model.params.hostOverheadMs * this.slowdown;
    const att = model.spec.attention;
    const what = `${o.role}: ${arch.attention}_context_module ${att.gemmType} ${p.heads} heads`;
    this.ctx = model.contextAttention(p.heads)!;
    this.gen = model.generationAttention(p.heads)!;
    this.ctxTrack = this.tracks.add(this.ctx.lastKey, what, 'prompt positions', 'marginal cost per token extended along its last slope');
    const gw = `${o.role}: ${arch.attention}_generation_module ${att.gemmType} ${p.heads} heads`;
    this.genCtxTrack = this.tracks.add(this.gen.rows[this.gen.rows.length - 1], gw, 'tokens of KV per request', 'held at the last row');
    this.genBatchTrack = this.tracks.add(this.gen.cols[this.gen.cols.length - 1], gw, 'requests on a rank', 'extended linearly along the last two batch columns');
    this.ops = new IterationOps(model, p, o.role, this.tracks);
  }

  /** Where this worker's settings and the run's lookups leave the model's data (the run summary's modelNotes). */
  get notes(): string[] {
    return [...this.fixedNotes, ...this.tracks.notes()];
  }

  /** Attention of a prefill chunk of `newTokens` from context position `startTokens` on one rank, ms (table time). */
  prefillAttentionMs(startTokens: number, newTokens: number): number {
    const end = startTokens + newTokens;
    this.ctxTrack.see(end);
    return (this.ctx.at(end) - this.ctx.at(startTokens)) * this.layers;
  }

  /** Attention of one decode step of `requests` requests of mean KV length `meanContextTokens` on one rank, ms. */
  decodeAttentionMs(requests: number, meanContextTokens: number): number {
    if (requests <= 0) return 0;
    this.genCtxTrack.see(meanContextTokens);
    this.genBatchTrack.see(requests);
    return this.gen.at(meanContextTokens, requests) * this.layers;
  }

  /** decodeAttentionMs as a line in the mean context, exact up to `untilContextTokens` (written into `out` when given). */
  decodeAttentionLine(requests: number, meanContextTokens: number, out: DecodeLine = { valueMs: 0, slopeMs: 0, untilContextTokens: 0 }): DecodeLine {
    this.genCtxTrack.see(meanContextTokens);
    this.genBatchTrack.see(requests);
    const l = this.gen.lineAlongRows(meanContextTokens, requests, this.rowLine);
    out.valueMs = l.valueAt * this.layers;
    out.slopeMs = l.slope * this.layers;
    out.untilContextTokens = l.untilR;
    return out;
  }

  /** Host time of an iteration: the fixed cost plus, without the overlap scheduler, the exposed CPU work, ms. */
  private get hostMs(): number {
    const p = this.model.params;
    return p.iterationFixedMs + (this.overlap ? 0 : p.hostOverheadMs);
  }

  /** MoE, its communication and the dense/other ops, scaled as the iteration runs them (no slowdown), ms. */
  private rest(shape: StepShape, cudaGraph: boolean, out?: IterationBreakdown): number {
    const p = this.model.params;
    const a = this.model.spec.architecture;
    const moe = shape.globalTokens > 0 ? this.ops.moePerLayer(shape.globalTokens) * a.moeLayers : 0;
    const comm = shape.globalTokens > 0 ? this.ops.commMs(shape) : 0;
    const shared = this.ops.sharedMs(shape.maxRankTokens);
    const router = this.ops.routerMs(shape.maxRankTokens);
    const other = router + this.ops.otherMs(shape.maxRankTokens, shape.maxRankSequences);
    // CUDA graphs run the shared expert on a side stream beside router + MoE + its communication (AIC's OverlapOp)
    const exposedShared = cudaGraph ? Math.max(0, shared - (moe + comm + router)) : shared;
    const moeScale = cudaGraph ? p.cudaGraphScale : p.moeScale;
    const denseScale = cudaGraph ? p.cudaGraphScale : 1;
    if (out) {
      out.moeMs = moe * moeScale * this.slowdown;
      out.commMs = comm * moeScale * this.slowdown;
      out.denseMs = (exposedShared + other) * denseScale * this.slowdown;
    }
    return (moe + comm) * moeScale + (exposedShared + other) * denseScale;
  }

  /** One lockstep iteration of the group, ms (platform slowdown included). */
  iterationMs(shape: StepShape, cudaGraph: boolean): number {
    return this.withAttentionMs(shape.maxAttentionMs, this.restMs(shape, cudaGraph), cudaGraph);
  }

  /** Everything of an iteration but attention and host time (scaled, no slowdown), ms: a run of decode steps shares it. */
  restMs(shape: StepShape, cudaGraph: boolean): number {
    const packable = shape.maxRankTokens < 262144 && shape.maxRankSequences < 2048 && shape.globalTokens < 1 << 24;
    const key = packable ? ((shape.globalTokens * 262144 + shape.maxRankTokens) * 2048 + shape.maxRankSequences) * 2 + (cudaGraph ? 1 : 0) : -1;
    if (packable && key === this.lastRestKey) return this.lastRest;
    let rest = packable ? this.restCache.get(key) : undefined;
    if (rest === undefined) {
      rest = this.rest(shape, cudaGraph);
      if (packable && this.restCache.size < 100_000) this.restCache.set(key, rest);
    }
    if (packable) (this.lastRestKey = key), (this.lastRest = rest);
    return rest;
  }

  /** The iteration of slowest-rank attention `maxAttentionMs` (table time) beside `restMs`, ms (slowdown included). */
  withAttentionMs(maxAttentionMs: number, restMs: number, cudaGraph: boolean): number {
    const p = this.model.params;
    return (this.hostMs + maxAttentionMs * (cudaGraph ? p.cudaGraphScale : p.attentionScale) + restMs) * this.slowdown;
  }

  /** iterationMs split into components, with the table lookups behind them (`servesim cost`). */
  breakdown(shape: StepShape, cudaGraph: boolean): IterationBreakdown {
    const p = this.model.params;
    const out: IterationBreakdown = { attentionMs: 0, moeMs: 0, commMs: 0, denseMs: 0, hostMs: this.hostMs * this.slowdown, totalMs: 0, cudaGraph, parts: this.ops.parts(shape) };
    this.rest(shape, cudaGraph, out);
    out.attentionMs = shape.maxAttentionMs * (cudaGraph ? p.cudaGraphScale : p.attentionScale) * this.slowdown;
    out.totalMs = out.attentionMs + out.moeMs + out.commMs + out.denseMs + out.hostMs;
    return out;
  }

  /** Transfer of a `tokens`-token context's KV to a decode rank, ms. */
  kvTransferMs(tokens: number): number {
    return this.model.kvTransferMs(tokens * this.kvBytesPerToken);
  }
}
