// Simulated request: the trace row plus where it is, what it holds, and when each milestone happened.
import { blocksInUnits, type Allocation } from '../kv/block-cache.ts';
import type { TraceRequest } from '../trace/types.ts';
import type { Rank } from './rank.ts';

export type Phase =
  | 'scheduled' // waiting for its trace timestamp
  | 'client-wait' // issued, waiting for a free client connection
  | 'engine-queue' // at a worker, not yet placed on a DP rank
  | 'rank-queue' // on a rank, waiting for a batch slot / KV blocks
  | 'prefill' // admitted, prompt being computed in chunks
  | 'handoff' // prefill done (disagg): waiting for a decode slot
  | 'transfer' // KV moving prefill → decode
  | 'decode-ready' // KV arrived, joins the next decode iteration
  | 'decode' // generating tokens
  | 'finishing' // last token computed; its response goes out with the next overlap-scheduler iteration
  | 'done'
  | 'timed-out'
  | 'rejected';

export class SimRequest {
  phase: Phase = 'scheduled';
  /** Keys of the prompt's full engine blocks in units of `blocksPerKey` (set when the request is sent). */
  blockHashes: number[] = [];
  blocksPerKey = 1;
  /** Engine blocks in the last unit. */
  lastKeyBlocks = 1;

  // milestones, ms (NaN = not reached)
  sentMs = NaN;
  prefillStartMs = NaN;
  prefillEndMs = NaN;
  transferStartMs = NaN;
  decodeStartMs = NaN;
  firstTokenMs = NaN;
  lastTokenMs = NaN;

  // placement and resources
  prefillRank: Rank | null = null;
  decodeRank: Rank | null = null;
  prefillAlloc: Allocation | null = null;
  decodeAlloc: Allocation | null = null;

  // progress
  /** Prompt tokens found in the prefix cache at admission (prefill side). */
  cachedTokens = 0;
  /** Prompt tokens whose KV exists (cached + computed). */
  prefilledTokens = 0;
  /** Tokens scheduled for the iteration in flight. */
  plannedTokens = 0;
  /** Output tokens produced so far (the first token counts). */
  generatedTokens = 0;
  /** Responses streamed to the client (first token, every stream_interval, last). */
  responses = 0;
  rejectReason = '';
  /** Routed by the entry (agg/prefill) router / the decode router and not yet released there. */
  entryRouted = false;
  decodeRouted = false;

  constructor(readonly trace: TraceRequest) {}

  get id(): number {
    return this.trace.id;
  }
  get inputTokens(): number {
    return this.trace.inputTokens;
  }
  get outputTokens(): number {
    return this.trace.outputTokens;
  }
  get scheduledMs(): number {
    return this.trace.timestampMs;
  }
  /** Engine blocks in the first `units` units of the prompt's chain. */
  blocksInUnits(units: number): number {
    return blocksInUnits(units, this.blockHashes.length, this.blocksPerKey, this.lastKeyBlocks);
  }

  get finished(): boolean {
    return this.phase === 'done' || this.phase === 'timed-out' || this.phase === 'rejected';
  }
}
