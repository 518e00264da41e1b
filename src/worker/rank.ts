// One attention-DP rank of a DEP group: its own batch slots, KV block cache and request queues.
import type { BlockCache } from '../kv/block-cache.ts';
import type { RequestView } from '../protocol/router.ts';
import type { Stay } from './stay.ts';

export class Rank<R extends RequestView = RequestView> {
  /** Assigned to this rank, waiting for a slot / KV blocks (FIFO, head-of-line blocking). */
  readonly waiting: Stay<R>[] = [];
  /** Admitted: prefill, transfer or decode; at most max_batch_size. */
  readonly active: Stay<R>[] = [];
  /** Sum of prompt tokens of requests assigned here and not finished (TRT-LLM ADP balance key). */
  assignedPromptTokens = 0;

  // statistics
  promptTokens = 0;
  cachedTokens = 0;
  requests = 0;
  busyIterations = 0;

  constructor(
    readonly index: number,
    /** e.g. "prefill0.r3". */
    readonly label: string,
    readonly cache: BlockCache,
  ) {}

  /** Requests the engine counts as active on this rank (ADP cap). */
  get assignedRequests(): number {
    return this.waiting.length + this.active.length;
  }
}
