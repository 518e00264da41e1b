// One attention-DP rank of a DEP group: its own batch slots, KV block cache and request queues.
import { BlockCache } from '../kv/block-cache.ts';
import type { SimRequest } from './request.ts';
import type { Worker } from './worker.ts';

export class Rank {
  /** Assigned to this rank, waiting for a slot / KV blocks (FIFO, head-of-line blocking). */
  readonly waiting: SimRequest[] = [];
  /** Admitted: prefill, transfer or decode; at most max_batch_size. */
  readonly active: SimRequest[] = [];
  /** Sum of prompt tokens of requests assigned here and not finished (TRT-LLM ADP balance key). */
  assignedPromptTokens = 0;

  // statistics
  promptTokens = 0;
  cachedTokens = 0;
  requests = 0;
  busyIterations = 0;

  constructor(
    readonly worker: Worker,
    readonly index: number,
    readonly cache: BlockCache,
  ) {}

  /** Requests the engine counts as active on this rank (ADP cap). */
  get assignedRequests(): number {
    return this.waiting.length + this.active.length;
  }

  get label(): string {
    return `${this.worker.label}.r${this.index}`;
  }
}
