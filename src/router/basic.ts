// Load-oblivious routers: round robin (over workers, or over (worker, rank) targets in two orders)
// and uniform random over workers.
import type { RouteTarget, Router, RouterContext } from '../protocol/router.ts';
import { InputError } from '../util/errors.ts';

export type RoundRobinTarget = 'worker' | 'dp-rank-interleaved' | 'dp-rank-worker-major';

/** Dynamo `round-robin`: cycles over worker instances; the engine places the request on a DP rank. */
export class RoundRobinRouter implements Router {
  readonly name: string;
  private next = 0;
  private readonly targets: RouteTarget[];

  constructor(ctx: RouterContext, readonly granularity: RoundRobinTarget) {
    this.name = `round-robin (${granularity})`;
    const dp = ctx.workerRanks;
    const t: RouteTarget[] = [];
    if (granularity === 'worker') dp.forEach((_, i) => t.push({ worker: i, rank: null }));
    else if (granularity === 'dp-rank-worker-major') dp.forEach((n, i) => { for (let r = 0; r < n; r++) t.push({ worker: i, rank: r }); });
    else for (let r = 0; r < Math.max(...dp); r++) dp.forEach((n, i) => r < n && t.push({ worker: i, rank: r }));
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
    return { worker: Math.floor(this.ctx.random() * this.ctx.workerRanks.length), rank: null };
  }
}
