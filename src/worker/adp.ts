// TensorRT-LLM attention-DP request placement for requests that arrive without a DP rank:
// longest prompt first, each to the rank with the fewest active prompt tokens (then requests, then
// rank id), no rank above max(ceil((active + new) / ranks), busiest rank) or max_batch_size.
import type { RequestView } from '../protocol/router.ts';
import type { Rank } from './rank.ts';
import type { Stay } from './stay.ts';

export interface Placement<R extends RequestView> {
  stay: Stay<R>;
  rank: Rank<R>;
}

/**
 * Take requests from `queue` and choose their ranks; the rest stay queued in FIFO order.
 * Mirrors executor_request_queue._balance_requests_across_ranks (see docs/engine-behaviour.md §1).
 */
export function assignToRanks<R extends RequestView>(queue: Stay<R>[], ranks: readonly Rank<R>[], maxBatchSize: number): Placement<R>[] {
  if (queue.length === 0) return [];
  let totalActive = 0;
  let maxActive = 0;
  for (const r of ranks) {
    totalActive += r.assignedRequests;
    if (r.assignedRequests > maxActive) maxActive = r.assignedRequests;
  }
  const room = ranks.length * maxBatchSize - totalActive;
  if (room <= 0) return [];
  const take = queue.splice(0, Math.min(room, queue.length));
  const expected = Math.min(maxBatchSize, Math.max(Math.ceil((totalActive + take.length) / ranks.length), maxActive));
  // longest prompt first; stable for equal lengths
  const order = take.map((stay, i) => ({ stay, i })).sort((a, b) => b.stay.req.inputTokens - a.stay.req.inputTokens || a.i - b.i);
  const tokens = ranks.map((r) => r.assignedPromptTokens);
  const counts = ranks.map((r) => r.assignedRequests);
  const placed: Placement<R>[] = [];
  const leftover: Stay<R>[] = [];
  for (const { stay } of order) {
    let best = -1;
    for (let k = 0; k < ranks.length; k++) {
      if (counts[k] >= expected) continue;
      if (best < 0 || tokens[k] < tokens[best] || (tokens[k] === tokens[best] && counts[k] < counts[best])) best = k;
    }
    if (best < 0) {
      leftover.push(stay);
      continue;
    }
    tokens[best] += stay.req.inputTokens;
    counts[best]++;
    placed.push({ stay, rank: ranks[best] });
  }
  if (leftover.length > 0) {
    leftover.sort((a, b) => take.indexOf(a) - take.indexOf(b));
    queue.unshift(...leftover);
  }
  return placed;
}
