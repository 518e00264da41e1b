// What a worker can never serve, decided from its engine settings and cost model alone (TRT-LLM
// refuses such a request at once): prompt + held output beyond max_seq_len, a prompt beyond
// max_num_tokens without chunked prefill, a context beyond a NIXL transfer buffer, more KV blocks than
// a rank holds; and the KV blocks a request needs on a rank.
import type { WorkerCost } from '../cost/worker-cost.ts';
import type { EndReason } from '../protocol/records.ts';
import type { RequestView } from '../protocol/router.ts';
import type { EngineConfig } from '../scenario/schema.ts';
import type { RolePolicy } from './policy.ts';

export class WorkerLimits {
  private readonly tokensPerBlock: number;
  /** NIXL (agent) transfers: a context must fit one pre-allocated buffer (cacheFormatter.cpp). */
  private readonly agentTransfer: boolean;

  constructor(
    private readonly policy: RolePolicy,
    private readonly engine: EngineConfig,
    private readonly cost: WorkerCost,
    private readonly capacityBlocks: number,
  ) {
    this.tokensPerBlock = engine.kv_cache_config.tokens_per_block;
    const backend = engine.cache_transceiver_config?.backend;
    this.agentTransfer = backend === 'NIXL' || backend === 'DEFAULT';
  }

  /** KV blocks a request needs on one of the worker's ranks (prompt + the output tokens held here). */
  blocksNeeded(req: RequestView): number {
    return Math.ceil((req.inputTokens + this.policy.heldOutputTokens(req.outputTokens)) / this.tokensPerBlock);
  }

  /** Why the worker could never serve `req`, or null. */
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
    if (need > this.capacityBlocks) return { reason: 'kv_capacity', text: `${role}: needs ${need} KV blocks, a rank holds ${this.capacityBlocks}` };
    return null;
  }
}
