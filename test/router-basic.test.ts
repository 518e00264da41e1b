// Simple routers: round-robin target orders (worker, DP-rank interleaved, worker-major), uniform random, least-loaded.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { BlockCache } from '../src/kv/block-cache.ts';
import { LeastLoadedRouter, RandomRouter, RoundRobinRouter } from '../src/router/basic.ts';
import type { RouteTarget, RouterContext } from '../src/router/types.ts';
import { SimRequest } from '../src/worker/request.ts';
import type { Worker } from '../src/worker/worker.ts';

const BS = 16;

function ctxOf(ranksPerWorker: number[]): RouterContext {
  const workers = ranksPerWorker.map((n, wi) => {
    const w: Record<string, unknown> = { id: wi, tokensPerBlock: BS };
    w.ranks = Array.from({ length: n }, (_, ri) => ({ worker: w, index: ri, cache: new BlockCache(100, true) }));
    return w;
  }) as unknown as Worker[];
  return { workers, random: seedrandom('router-basic'), now: () => 0 };
}

let nextId = 0;
const req = (isl: number) => new SimRequest({ id: nextId++, timestampMs: 0, inputTokens: isl, outputTokens: 4, hashIds: [] });
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

describe('least loaded', () => {
  it('picks the target with the fewest router-tracked blocks, then fewer requests, and frees on finish', () => {
    const r = new LeastLoadedRouter(ctxOf([2, 2]), BS);
    const big = req(10 * BS);
    r.onRouted(big, { worker: 0, rank: 0 });
    const smalls = [req(2 * BS), req(2 * BS)];
    r.onRouted(smalls[0], { worker: 0, rank: 1 });
    r.onRouted(smalls[1], { worker: 1, rank: 1 });
    // 1.0 carries nothing
    expect(r.select(req(BS))).toEqual({ worker: 1, rank: 0 });
    const x = req(3 * BS);
    r.onRouted(x, { worker: 1, rank: 0 }); // 1.0 now 3 blocks; 0.1 and 1.1 have 2
    const t = r.select(req(BS));
    expect(['0.1', '1.1']).toContain(fmt(t));
    // equal blocks, fewer requests wins: 0.1 holds one 2-block request, 1.1 two 1-block requests
    r.onFinished(smalls[1]);
    const a = req(BS);
    const b = req(BS);
    r.onRouted(a, { worker: 1, rank: 1 });
    r.onRouted(b, { worker: 1, rank: 1 });
    expect(r.select(req(BS))).toEqual({ worker: 0, rank: 1 }); // 2 blocks / 1 request beats 2 blocks / 2 requests
    // finishing frees (once)
    r.onFinished(big);
    r.onFinished(big);
    expect(r.select(req(BS))).toEqual({ worker: 0, rank: 0 });
  });

  it('breaks exact ties at random', () => {
    const r = new LeastLoadedRouter(ctxOf([2, 2]), BS);
    const seen = new Set(picks(() => r.select(req(BS)), 200));
    expect([...seen].sort()).toEqual(['0.0', '0.1', '1.0', '1.1']);
  });
});
