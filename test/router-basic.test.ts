// Simple routers: round-robin target orders (worker, DP-rank interleaved, worker-major), uniform random, least-loaded.
import { describe, expect, it } from 'vitest';
import type { RouteTarget, RouterContext } from '../src/protocol/router.ts';
import { RandomRouter, RoundRobinRouter } from '../src/router/basic.ts';
import { routerFactory } from '../src/router/registry.ts';
import { routerSchema } from '../src/scenario/schema.ts';
import { routedRequest, routerPool } from './helpers.ts';

const BS = 16;

const ctxOf = (ranksPerWorker: number[]): RouterContext => routerPool(ranksPerWorker, { capacityBlocks: 100, blockTokens: BS, seed: 'router-basic' }).ctx;

let nextId = 0;
/** A request of `isl` tokens with distinct full-block keys. */
const req = (isl: number) => routedRequest(nextId++, Array.from({ length: Math.floor(isl / BS) }, (_, i) => 1e6 * (nextId + 1) + i), isl, 4);
const fmt = (t: RouteTarget) => `${t.worker}.${t.rank ?? '-'}`;
const picks = (select: () => RouteTarget, n: number) => Array.from({ length: n }, () => fmt(select()));

describe('round robin', () => {
  it('cycles over workers and leaves the rank to the engine', () => {
    const r = new RoundRobinRouter(ctxOf([2, 2, 2]), 'worker');
    expect(picks(() => r.select(), 7)).toEqual(['0.-', '1.-', '2.-', '0.-', '1.-', '2.-', '0.-']);
  });

  it('cycles over (worker, rank) targets rank-interleaved: every worker once per rank', () => {
    const r = new RoundRobinRouter(ctxOf([2, 2]), 'dp-rank-interleaved');
    expect(picks(() => r.select(), 5)).toEqual(['0.0', '1.0', '0.1', '1.1', '0.0']);
    // unequal DP sizes: ranks a worker lacks are skipped
    const u = new RoundRobinRouter(ctxOf([1, 3]), 'dp-rank-interleaved');
    expect(picks(() => u.select(), 5)).toEqual(['0.0', '1.0', '1.1', '1.2', '0.0']);
  });

  it('cycles over (worker, rank) targets worker-major: all ranks of a worker, then the next worker', () => {
    const r = new RoundRobinRouter(ctxOf([2, 2]), 'dp-rank-worker-major');
    expect(picks(() => r.select(), 5)).toEqual(['0.0', '0.1', '1.0', '1.1', '0.0']);
  });

  it('refuses an empty pool', () => {
    expect(() => new RoundRobinRouter(ctxOf([]), 'worker')).toThrow(/no targets/);
  });
});

describe('random', () => {
  it('picks workers uniformly and leaves the rank to the engine', () => {
    const r = new RandomRouter(ctxOf([8, 8, 8, 8]));
    const n = 8000;
    const hits = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      const t = r.select();
      expect(t.rank).toBeNull();
      hits[t.worker]++;
    }
    for (const h of hits) expect(Math.abs(h / n - 0.25)).toBeLessThan(4 * Math.sqrt((0.25 * 0.75) / n));
  });
});

describe('least loaded (the KV router at overlap weight 0)', () => {
  const leastLoaded = () => routerFactory(routerSchema.parse({ router_mode: 'least-loaded', kv_block_size: BS }), 'agg', BS)(ctxOf([2, 2]));

  it('picks the target with the fewest router-tracked active blocks and frees them on finish', () => {
    const r = leastLoaded();
    const big = req(10 * BS);
    r.onRouted!(big, { worker: 0, rank: 0 }, 0);
    const smalls = [req(2 * BS), req(2 * BS)];
    r.onRouted!(smalls[0], { worker: 0, rank: 1 }, 0);
    r.onRouted!(smalls[1], { worker: 1, rank: 1 }, 0);
    // 1.0 carries nothing
    expect(r.select(req(BS), 0)).toEqual({ worker: 1, rank: 0 });
    r.onRouted!(req(3 * BS), { worker: 1, rank: 0 }, 0); // 1.0 now 3 blocks; 0.1 and 1.1 have 2
    expect(['0.1', '1.1']).toContain(fmt(r.select(req(BS), 0)));
    r.onFinished!(smalls[1], 0); // 1.1 is empty again
    expect(r.select(req(BS), 0)).toEqual({ worker: 1, rank: 1 });
    // finishing frees (once)
    r.onFinished!(big, 0);
    r.onFinished!(big, 0);
    r.onRouted!(req(BS), { worker: 1, rank: 1 }, 0);
    expect(r.select(req(BS), 0)).toEqual({ worker: 0, rank: 0 });
  });

  it('breaks exact ties at random', () => {
    const r = leastLoaded();
    const seen = new Set(picks(() => r.select(req(BS), 0), 200));
    expect([...seen].sort()).toEqual(['0.0', '0.1', '1.0', '1.1']);
  });
});
