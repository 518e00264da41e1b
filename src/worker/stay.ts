// A request's stay on one worker: where it is (queue, rank), what it holds (KV blocks) and how far it
// got (prompt tokens computed, output tokens generated). Written only by the worker it is on.
import type { Allocation } from '../kv/block-cache.ts';
import type { RequestView } from '../protocol/router.ts';

export type StayPhase =
  | 'queued' // at the worker, not yet on a DP rank (the engine's ADP places it)
  | 'waiting' // on a rank, waiting for a batch slot / KV blocks (FIFO)
  | 'transfer' // decode: slot and blocks taken, KV arriving from the prefill worker
  | 'ready' // decode: KV arrived, joins the next iteration
  | 'prefill' // prompt being computed in chunks
  | 'decode' // generating tokens
  | 'finishing' // last token computed; its response goes out with the next overlap-scheduler loop
  | 'handoff' // prefill: prompt done; the hand-off response goes out with the next overlap-scheduler loop
  | 'handed-off' // prefill: slot free, KV blocks held until the decode side has them
  | 'done'; // left the worker (finished, handed off and released, or cancelled)

export class Stay<R extends RequestView = RequestView> {
  phase: StayPhase = 'queued';
  /** DP rank on the worker, -1 until placed. */
  rank = -1;
  alloc: Allocation | null = null;
  /** Prompt tokens found in the prefix cache at admission. */
  cachedTokens = 0;
  /** Prompt tokens whose KV exists here (cached + computed, or received). */
  prefilledTokens = 0;
  /** Tokens scheduled for the iteration in flight. */
  plannedTokens = 0;
  /** Output tokens generated so far (the first counts). */
  generatedTokens: number;
  /** Streamed responses the request's last token closed (first token, every stream_interval, last). */
  responses = 0;
  // milestones on this worker, ms (NaN = not reached)
  firstChunkMs = NaN;
  promptDoneMs = NaN;
  transferStartMs = NaN;
  decodeStartMs = NaN;

  constructor(
    readonly req: R,
    /** Index of the worker in its pool. */
    readonly worker: number,
    generatedTokens: number,
  ) {
    this.generatedTokens = generatedTokens;
  }

  /** Still on the worker (queued, on a rank, or holding blocks for a hand-off). */
  get live(): boolean {
    return this.phase !== 'done';
  }
}
