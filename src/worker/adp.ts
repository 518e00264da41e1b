// TensorRT-LLM attention-DP request placement for requests that arrive without a DP rank:
// longest prompt first, each to the rank with the fewest active prompt tokens (then requests, then
// rank id), no rank above max(ceil((active + new) / ranks), busiest rank) or max_batch_size.
import type { Rank } from './rank.ts';
import type { SimRequest } from './request.ts';

export interface Placement {
  req: SimRequest;
  rank: Rank;
}

/**
 * Take requests from `queue` and choose their ranks; the rest stay queued in FIFO order.
 * Mirrors executor_request_queue._balance_requests_across_ranks (see docs/engine-behaviour.md §1).
 */
export function assignToRanks(queue: SimRequest[], ranks: readonly Rank[], maxBatchSize: number): Placement[] {
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
  const order = take.map((req, i) => ({ req, i })).sort((a, b) => b.req.inputTokens - a.req.inputTokens || a.i - b.i);
  const tokens = ranks.map((r) => r.assignedPromptTokens);
  const counts = ranks.map((r) => r.assignedRequests);
  const placed: Placement[] = [];
  const leftover: SimRequest[] = [];
  for (const { req } of order) {
    let best = -1;
    for (let k = 0; k < ranks.length; k++) {
      if (counts[k] >= expected) continue;
      if (best < 0 || tokens[k] < tokens[best] || (tokens[k] === tokens[best] && counts[k] < counts[best])) best = k;
    }
    if (best < 0) {
      leftover.push(req);
      continue;
    }
    tokens[best] += req.inputTokens;
    counts[best]++;
    placed.push({ req, rank: ranks[best] });
  }
  if (leftover.length > 0) {
    leftover.sort((a, b) => take.indexOf(a) - take.indexOf(b));
    queue.unshift(...leftover);
  }
  return placed;
}
