// Load-oblivious and simple load-aware routers: round robin (over workers, or over (worker, rank)
// targets in two orders), uniform random, and least-loaded by router-tracked active KV blocks.
import { InputError } from '../errors.ts';
import type { SimRequest } from '../worker/request.ts';
import type { RouteTarget, Router, RouterContext } from './types.ts';

export type RoundRobinTarget = 'worker' | 'dp-rank-interleaved' | 'dp-rank-worker-major';

/** Dynamo `round-robin`: cycles over worker instances; the engine places the request on a DP rank. */
export class RoundRobinRouter implements Router {
  readonly name: string;
  private next = 0;
  private readonly targets: RouteTarget[];

  constructor(ctx: RouterContext, readonly granularity: RoundRobinTarget) {
    this.name = `round-robin (${granularity})`;
    const ws = ctx.workers;
    const dp = ws.map((w) => w.ranks.length);
    const t: RouteTarget[] = [];
    if (granularity === 'worker') ws.forEach((_, i) => t.push({ worker: i, rank: null }));
    else if (granularity === 'dp-rank-worker-major') ws.forEach((w, i) => w.ranks.forEach((_, r) => t.push({ worker: i, rank: r })));
    else for (let r = 0; r < Math.max(...dp); r++) ws.forEach((w, i) => r < w.ranks.length && t.push({ worker: i, rank: r }));
    if (t.length === 0) throw new InputError('router: no targets to route to');
    this.targets = t;
  }

  select(): RouteTarget {
    const t = this.targets[this.next];
    this.next = (this.next + 1) % this.targets.length;
    return t;
  }
}

/** Dynamo `random`: a uniformly random worker; the engine places the request on a DP rank. */
export class RandomRouter implements Router {
  readonly name = 'random';
  constructor(private readonly ctx: RouterContext) {}
  select(): RouteTarget {
    return { worker: Math.floor(this.ctx.random() * this.ctx.workers.length), rank: null };
  }
}

/**
 * Least-loaded over (worker, rank) targets by the router's own count of active KV blocks (prompt
 * blocks of requests routed there and not yet finished), ties broken by fewer requests, then
 * at random. This is what Dynamo's KV router does for decode (overlap weight 0, no reuse assumed).
 */
export class LeastLoadedRouter implements Router {
  readonly name = 'least-loaded';
  private readonly blocks: number[][];
  private readonly requests: number[][];
  private readonly held = new Map<number, { w: number; r: number; blocks: number }>();

  constructor(private readonly ctx: RouterContext, private readonly blockTokens: number) {
    this.blocks = ctx.workers.map((w) => w.ranks.map(() => 0));
    this.requests = ctx.workers.map((w) => w.ranks.map(() => 0));
  }

  select(req: SimRequest): RouteTarget {
    let best: RouteTarget[] = [];
    let bestBlocks = Infinity;
    let bestReqs = Infinity;
    const need = Math.ceil(req.inputTokens / this.blockTokens);
    for (let w = 0; w < this.blocks.length; w++) {
      for (let r = 0; r < this.blocks[w].length; r++) {
        const b = this.blocks[w][r] + need;
        const q = this.requests[w][r];
        if (b < bestBlocks || (b === bestBlocks && q < bestReqs)) {
          best = [{ worker: w, rank: r }];
          bestBlocks = b;
          bestReqs = q;
        } else if (b === bestBlocks && q === bestReqs) best.push({ worker: w, rank: r });
      }
    }
    return best.length === 1 ? best[0] : best[Math.floor(this.ctx.random() * best.length)];
  }

  onRouted(req: SimRequest, t: RouteTarget): void {
    const blocks = Math.ceil(req.inputTokens / this.blockTokens);
    const r = t.rank ?? 0;
    this.blocks[t.worker][r] += blocks;
    this.requests[t.worker][r]++;
    this.held.set(req.id, { w: t.worker, r, blocks });
  }

  onFinished(req: SimRequest): void {
    const h = this.held.get(req.id);
    if (!h) return;
    this.held.delete(req.id);
    this.blocks[h.w][h.r] -= h.blocks;
    this.requests[h.w][h.r]--;
  }
}
