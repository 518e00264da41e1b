// Batch building for one lockstep iteration: on every rank, decode tokens first (one per decoding
// request), then first-come-first-served prefill chunks in the remaining max_num_tokens budget
// (block-aligned when cut, whole prompts only without chunked prefill); the group's shape follows.
import type { WorkerCost } from '../cost/worker-cost.ts';
import type { RequestView } from '../protocol/router.ts';
import type { EngineConfig } from '../scenario/schema.ts';
import type { Rank } from './rank.ts';
import type { Stay } from './stay.ts';

/** The iteration being built / in flight (arrays reused from iteration to iteration). */
export interface Batch<R extends RequestView> {
  /** Stays scheduled in it (plannedTokens > 0): the first `inFlightCount` (the array is reused). */
  inFlight: Stay<R>[];
  inFlightCount: number;
  /** Decoding requests per rank and their mean context, tokens. */
  decodes: number[];
  context: number[];
  /** Max over ranks of the rank's attention time, ms. */
  maxAttentionMs: number;
  globalTokens: number;
  maxRankTokens: number;
  /** Max over ranks of the sequences scheduled (decodes + prompt chunks). */
  maxRankSequences: number;
  prefillTokens: number;
  /** Ranks with nothing to compute. */
  idleRanks: number;
}

/** An empty batch over `ranks` ranks (a worker's one, reused for every iteration). */
export function emptyBatch<R extends RequestView>(ranks: number): Batch<R> {
  return { inFlight: [], inFlightCount: 0, decodes: new Array<number>(ranks).fill(0), context: new Array<number>(ranks).fill(0), maxAttentionMs: 0, globalTokens: 0, maxRankTokens: 0, maxRankSequences: 0, prefillTokens: 0, idleRanks: 0 };
}

/** Fill `b` with this iteration's batch over `ranks` (admission already done). */
export function buildBatch<R extends RequestView>(ranks: readonly Rank<R>[], engine: EngineConfig, cost: WorkerCost, tokensPerBlock: number, b: Batch<R>, nowMs: number): Batch<R> {
  const inFlight = b.inFlight;
  b.maxAttentionMs = 0;
  b.globalTokens = 0;
  b.maxRankTokens = 0;
  b.maxRankSequences = 0;
  b.prefillTokens = 0;
  b.idleRanks = 0;
  for (const rank of ranks) {
    let rankTokens = 0;
    let attentionMs = 0;
    let decodes = 0;
    let decodeContext = 0;
    for (const stay of rank.active) {
      if (stay.phase === 'decode') {
        stay.plannedTokens = 1;
        decodes++;
        decodeContext += stay.req.inputTokens + stay.generatedTokens;
        inFlight[b.inFlightCount++] = stay;
      }
    }
    rankTokens += decodes;
    b.decodes[rank.index] = decodes;
    b.context[rank.index] = decodes > 0 ? decodeContext / decodes : 0;
    if (decodes > 0) attentionMs += cost.decodeAttentionMs(decodes, decodeContext / decodes);
    let sequences = decodes;
    let budget = engine.max_num_tokens - decodes;
    for (const stay of rank.active) {
      if (budget <= 0) break;
      if (stay.phase !== 'prefill') continue;
      const remaining = stay.req.inputTokens - stay.prefilledTokens;
      let chunk: number;
      if (engine.enable_chunked_prefill) {
        chunk = Math.min(remaining, budget);
        if (chunk < remaining) chunk -= chunk % tokensPerBlock;
        if (chunk <= 0) break;
      } else {
        if (remaining > budget) break;
        chunk = remaining;
      }
      if (Number.isNaN(stay.firstChunkMs)) stay.firstChunkMs = nowMs;
      stay.plannedTokens = chunk;
      budget -= chunk;
      sequences++;
      rankTokens += chunk;
      b.prefillTokens += chunk;
      attentionMs += cost.prefillAttentionMs(stay.prefilledTokens, chunk);
      inFlight[b.inFlightCount++] = stay;
    }
    if (rankTokens > 0) rank.busyIterations++;
    else b.idleRanks++;
    b.globalTokens += rankTokens;
    if (rankTokens > b.maxRankTokens) b.maxRankTokens = rankTokens;
    if (sequences > b.maxRankSequences) b.maxRankSequences = sequences;
    if (attentionMs > b.maxAttentionMs) b.maxAttentionMs = attentionMs;
  }
  return b;
}
