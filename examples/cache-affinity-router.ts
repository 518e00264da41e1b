// Example plug-in routing policy: cache affinity with a load cap (not built in), for `servesim run --router`.
//
// Policy: send a request to the (worker, DP rank) whose KV cache holds the longest prefix of its prompt,
// unless that rank already has more than `cap` requests (active + queued); then fall back to the least
// loaded rank (fewest pending prefill tokens, then fewest requests). Ties go to the less loaded rank.
// Unlike Dynamo's KV router it does not trade cached blocks against load linearly: affinity wins
// outright until the cap, which keeps conversations sticky but bounds the queue a hot rank can build.
//
// Usage:  node bin/servesim.js run scenarios/disagg-kv.yaml --router ./examples/cache-affinity-router.ts
// The cap (requests per rank, default 4) can be set with the SERVESIM_AFFINITY_CAP environment variable.
//
// Interface (servesim's Router, RouterContext; src/protocol/router.ts): default-export a class constructed with a RouterContext, or a
// factory (ctx) => Router. `select` returns { worker, rank } (rank null = let the engine place it).
import type { RequestView, RouteTarget, Router, RouterContext, TargetView } from 'servesim';

export default class CacheAffinityRouter implements Router {
  readonly name: string;
  private readonly cap: number;

  constructor(private readonly ctx: RouterContext) {
    const env = Number(process.env.SERVESIM_AFFINITY_CAP);
    this.cap = Number.isFinite(env) && env > 0 ? env : 4;
    this.name = `cache affinity, load cap ${this.cap}`;
  }

  select(req: RequestView): RouteTarget {
    const load = (t: TargetView) => t.activeRequests + t.queuedRequests;
    // least loaded: fewest pending prefill tokens, then fewest requests, then lowest index
    const lighter = (a: TargetView, b: TargetView) =>
      a.pendingPrefillTokens !== b.pendingPrefillTokens ? a.pendingPrefillTokens < b.pendingPrefillTokens : load(a) < load(b);
    let best: TargetView | null = null;
    let bestOverlap = -1;
    let leastLoaded = this.ctx.targets[0];
    for (const t of this.ctx.targets) {
      if (lighter(t, leastLoaded)) leastLoaded = t;
      if (load(t) > this.cap) continue;
      const o = t.overlapBlocks(req);
      if (o > bestOverlap || (o === bestOverlap && best !== null && lighter(t, best))) {
        best = t;
        bestOverlap = o;
      }
    }
    // no cached prefix anywhere under the cap, or every rank over it: balance load
    const pick = best !== null && bestOverlap > 0 ? best : leastLoaded;
    return { worker: pick.worker, rank: pick.rank };
  }

  describe(): string {
    return this.name;
  }
}
