// A cost model bound to one worker group: its parallelism, MoE backend, KV dtype, overlap scheduler
// and platform slowdown, derived once. Everything a worker asks the cost model goes through here;
// settings the model has no data for stop here with one line naming the scenario key.
import type { Role } from '../protocol/roles.ts';
import type { EngineConfig } from '../scenario/schema.ts';
import { inputError } from '../util/errors.ts';
import type { Linear1D } from './interp.ts';
import type { CostModel, StepShape } from './model.ts';

export interface WorkerCostOptions {
  role: Role;
  engine: EngineConfig;
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
  /** Tokens of KV one transfer buffer holds (0 without a cache transceiver). */
  readonly transferBufferTokens: number;
  /** Where this worker's settings leave the model's data (reported in the run summary). */
  readonly notes: string[] = [];
  private readonly slowdown: number;
  private readonly attentionShare: number;
  private readonly overlap: boolean;
  private readonly moe: Linear1D;

  constructor(
    private readonly model: CostModel,
    o: WorkerCostOptions,
  ) {
    const e = o.engine;
    const field = `workers.${o.role}.engine`;
    this.slowdown = model.platformSlowdown(o.platform, o.role) * o.iterationSlowdown;
    this.moe = model.moeTable(e.moe_config.backend, `${field}.moe_config.backend`);
    this.overlap = !e.disable_overlap_scheduler;
    this.ranks = e.enable_attention_dp ? e.tensor_parallel_size : 1;
    // without attention DP, attention is tensor-parallel over all GPUs of the group
    this.attentionShare = e.enable_attention_dp ? 1 : 1 / e.tensor_parallel_size;
    const arch = model.spec.architecture;
    const asked: string = e.kv_cache_config.dtype;
    const dtype = asked === 'auto' ? arch.autoKvCacheDtype : asked;
    const bytes = KV_DTYPE_BYTES[dtype];
    if (bytes === undefined) throw inputError({ field: `${field}.kv_cache_config.dtype` }, `'${asked}': cost model ${model.name} has no attention data for a ${dtype} KV cache; supported: auto (${arch.autoKvCacheDtype}), ${arch.kvCacheDtype}`);
    this.kvBytesPerToken = (arch.kvBytesPerToken * bytes) / KV_DTYPE_BYTES[arch.kvCacheDtype] + arch.indexerKBytesPerToken;
    if (dtype !== arch.kvCacheDtype) {
      this.notes.push(`${o.role}: kv_cache_config.dtype ${dtype}: KV capacity and transfer use ${bytes}-byte elements; attention times come from the model's ${arch.kvCacheDtype}-KV tables`);
    }
    const kv = e.kv_cache_config;
    // the transceiver's buffers hold max_tokens_in_buffer + one block of the rank's KV each
    const t = e.cache_transceiver_config;
    const bufferBytes = t === undefined ? 0 : t.max_tokens_in_buffer !== undefined ? (t.max_tokens_in_buffer + kv.tokens_per_block) * this.kvBytesPerToken : DEFAULT_TRANSFER_BUFFER_BYTES;
    this.transferBufferTokens = t === undefined ? 0 : (t.max_tokens_in_buffer ?? Math.floor(DEFAULT_TRANSFER_BUFFER_BYTES / this.kvBytesPerToken));
    // without attention DP the group's KV is spread over its GPUs, unless every GPU holds all of it (MLA)
    const kvSpread = e.enable_attention_dp || arch.kvReplicatedAcrossTp ? 1 : e.tensor_parallel_size;
    this.kvCapacityBlocksPerRank =
      model.kvCapacityBlocks(kv.free_gpu_memory_fraction, this.kvBytesPerToken, kv.tokens_per_block, bufferBytes * (TRANSFER_SEND_BUFFERS + TRANSFER_RECV_BUFFERS)) * kvSpread;
    if (this.kvCapacityBlocksPerRank <= 0) throw inputError({ field: `${field}.kv_cache_config.free_gpu_memory_fraction` }, `leaves no KV cache on a GPU (weights and reserve fill the HBM)`);
    this.hostLoopMs = model.params.hostOverheadMs * this.slowdown;
  }

  /** Attention of a prefill chunk of `newTokens` from context position `startTokens` on one rank, ms. */
  prefillAttentionMs(startTokens: number, newTokens: number): number {
    return this.model.prefillAttentionMs(startTokens, newTokens) * this.attentionShare;
  }

  /** Attention of one decode step of `requests` requests of mean KV length `meanContextTokens` on one rank, ms. */
  decodeAttentionMs(requests: number, meanContextTokens: number): number {
    return this.model.decodeAttentionMs(requests, meanContextTokens) * this.attentionShare;
  }

  /** decodeAttentionMs as a line in the mean context, exact up to `untilContextTokens`. */
  decodeAttentionLine(requests: number, meanContextTokens: number): { valueMs: number; slopeMs: number; untilContextTokens: number } {
    const l = this.model.decodeAttentionLine(requests, meanContextTokens);
    return { valueMs: l.valueMs * this.attentionShare, slopeMs: l.slopeMs * this.attentionShare, untilContextTokens: l.untilContextTokens };
  }

  /** One lockstep iteration of the group, ms (platform slowdown included). */
  iterationMs(shape: StepShape, cudaGraph: boolean): number {
    return this.model.iterationMs(shape, this.moe, this.overlap, cudaGraph) * this.slowdown;
  }

  /** Transfer of a `tokens`-token context's KV to a decode rank, ms. */
  kvTransferMs(tokens: number): number {
    return this.model.kvTransferMs(tokens * this.kvBytesPerToken);
  }
}
