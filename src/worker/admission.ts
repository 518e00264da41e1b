// TRT-LLM's capacity scheduler (GUARANTEED_NO_EVICT) on one rank: admit waiting requests in order
// while slots and KV blocks last. A prompt is computed from its longest cached prefix (at least its
// last token is computed); a decode rank takes a slot and blocks and pulls the KV from the prefill worker.
import type { WorkerCost } from '../cost/worker-cost.ts';
import type { RequestView } from '../protocol/router.ts';
import type { EngineConfig } from '../scenario/schema.ts';
import type { RolePolicy } from './policy.ts';
import type { Rank } from './rank.ts';
import type { Stay } from './stay.ts';
import type { WorkerLimits } from './worker-limits.ts';

/** What admission needs of its worker (the worker itself). */
export interface Admission<R extends RequestView> {
  readonly policy: RolePolicy;
  readonly engine: EngineConfig;
  readonly cost: WorkerCost;
  readonly limits: WorkerLimits;
  /** A decode rank took the request: pull its KV (a transfer of `durationMs`). */
  host: { requestKv(stay: Stay<R>, durationMs: number): void };
}

export function admitWaiting<R extends RequestView>(rank: Rank<R>, w: Admission<R>, nowMs: number): void {
  const tpb = w.engine.kv_cache_config.tokens_per_block;
  while (rank.waiting.length > 0 && rank.active.length < w.engine.max_batch_size) {
    const stay = rank.waiting[0];
    const req = stay.req;
    const maxReuse = w.policy.computesPrompt ? Math.floor((req.inputTokens - 1) / tpb) : 0;
    const alloc = rank.cache.allocate(req.blockHashes, w.limits.blocksNeeded(req), maxReuse, req.blocksPerKey, req.lastKeyBlocks);
    if (!alloc) return;
    stay.alloc = alloc;
    rank.waiting.shift();
    rank.active.push(stay);
    rank.requests++;
    rank.promptTokens += req.inputTokens;
    if (!w.policy.computesPrompt) {
      stay.phase = 'transfer';
      stay.transferStartMs = nowMs;
      w.host.requestKv(stay, w.cost.kvTransferMs(req.inputTokens));
      continue;
    }
    stay.cachedTokens = alloc.matchedBlocks * tpb;
    stay.prefilledTokens = stay.cachedTokens;
    rank.cachedTokens += stay.cachedTokens;
    stay.phase = 'prefill';
  }
}
