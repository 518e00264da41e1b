// KV router unit tests: Dynamo's cost and worked example, tie-breaks, temperature sampling, ActiveSequences
// bookkeeping, KV events (with delay and eviction), the TTL approximation and busy_threshold.
import { describe, expect, it } from 'vitest';
import { BlockCache } from '../src/kv/block-cache.ts';
import { KvRouter, kvCost, type KvRouterFlags } from '../src/router/kv.ts';
import { routerSchema, type RouterConfig } from '../src/scenario/schema.ts';
import { routedRequest, routerPool } from './helpers.ts';

const BS = 16;

/** Prefill pool of a disaggregated deployment: no active-block tracking. */
const PREFILL: KvRouterFlags = { trackActiveBlocks: false, trackPrefillTokens: true, assumeKvReuse: true, useCacheEvents: true };
/** Aggregated pool: both load terms. */
const AGG: KvRouterFlags = { trackActiveBlocks: true, trackPrefillTokens: true, assumeKvReuse: true, useCacheEvents: true };

function cfg(o: Partial<RouterConfig> = {}): RouterConfig {
  return routerSchema.parse({ router_mode: 'kv', kv_block_size: BS, ...o });
}

/** A pool of stand-in ranks with real BlockCaches (all the KV router reads from the engine). */
function pool(ranksPerWorker: number[], capacityBlocks = 1000) {
  return routerPool(ranksPerWorker, { capacityBlocks, blockTokens: BS, seed: 'router-kv' });
}

let nextId = 0;
const req = (hashes: number[], isl = hashes.length * BS) => routedRequest(nextId++, hashes, isl);
const seq = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** Compute and cache `hashes` on a rank (the engine emits `stored`), then let them go idle (still cached). */
function cacheOn(c: BlockCache, hashes: number[]): void {
  const a = c.allocate(hashes, hashes.length)!;
  c.register(a, hashes, hashes.length);
  c.release(a);
}

/** Allocate `hashes` on a rank and keep them held by a live request. */
function hold(c: BlockCache, hashes: number[]) {
  const a = c.allocate(hashes, hashes.length)!;
  c.register(a, hashes, hashes.length);
  return a;
}

describe('KV router cost', () => {
  it('reproduces the Dynamo docs worked example (costs 18 / 10 / 11, the second worker wins)', () => {
    // cost = weight · prefill blocks + decode blocks with the docs' numbers
    expect([kvCost(1, BS, 8 * BS, 10), kvCost(1, BS, 5 * BS, 5), kvCost(1, BS, 2 * BS, 9)]).toEqual([18, 10, 11]);

    // The same through KvRouter with real state: a 10-block request cached 2 / 5 / 8 blocks deep
    // (prefill 8 / 5 / 2 blocks). Dynamo's decode term counts the request's own 10 blocks plus the
    // target's other active blocks, so it can never be below 10 here; giving the targets 5 / 0 / 4
    // other active blocks makes decode 15 / 10 / 14 = the docs' 10 / 5 / 9 + 5, and every cost the
    // docs' cost + 5: 23 / 15 / 16. The argmin is unchanged.
    const { ctx, cache } = pool([1, 1, 1]);
    const r = new KvRouter(ctx, cfg(), AGG);
    const R = seq(100, 10);
    cacheOn(cache(0), R.slice(0, 2));
    cacheOn(cache(1), R.slice(0, 5));
    cacheOn(cache(2), R.slice(0, 8));
    for (const [w, n] of [[0, 5], [2, 4]]) {
      const other = req(seq(1000 + 100 * w, n)); // in decode: blocks active, no pending prefill
      r.onRouted(other, { worker: w, rank: 0 }, 0);
      r.onPrefillDone(other);
    }
    const q = req(R);
    const c = r.costs(q);
    expect(c.map((x) => x.overlap)).toEqual([2, 5, 8]);
    expect(c.map((x) => x.cost)).toEqual([23, 15, 16]);
    expect(r.select(q, 0)).toEqual({ worker: 1, rank: 0 });
  });

  it('counts a fractional prefill term and pending prefill tokens', () => {
    const { ctx } = pool([2]);
    const r = new KvRouter(ctx, cfg({ kv_overlap_score_weight: 2 }), PREFILL);
    r.onRouted(req([], 40), { worker: 0, rank: 1 }, 0); // 40 pending tokens on rank 1
    const c = r.costs(req(seq(0, 3), 3 * BS + 5)); // 53 tokens, nothing cached
    // prefill-pool decode term falls back to floor(prefill tokens / bs)
    expect(c[0].cost).toBeCloseTo((2 * 53) / BS + 3, 12);
    expect(c[1].cost).toBeCloseTo((2 * 93) / BS + 5, 12);
  });
});

describe('KV router selection', () => {
  it('breaks ties by the smallest indexed tree, then uniformly at random', () => {
    const { ctx, cache } = pool([1, 1, 1]);
    const r = new KvRouter(ctx, cfg(), PREFILL);
    cacheOn(cache(0), seq(900, 3));
    cacheOn(cache(1), seq(910, 1));
    cacheOn(cache(2), seq(920, 2));
    const q = req(seq(0, 4)); // cached nowhere: equal costs everywhere
    for (let i = 0; i < 50; i++) expect(r.select(q, 0).worker).toBe(1);

    // a lower cost beats a smaller tree
    expect(r.select(req([900, 901, 902, 5]), 0).worker).toBe(0);

    // equal trees: uniform between the two smallest, never the larger one
    cacheOn(cache(1), [911]);
    const n = 4000;
    const hits = [0, 0, 0];
    for (let i = 0; i < n; i++) hits[r.select(q, 0).worker]++;
    expect(hits[0]).toBe(0);
    const tol = 4 * Math.sqrt(0.25 / n);
    expect(Math.abs(hits[1] / n - 0.5)).toBeLessThan(tol);
    expect(Math.abs(hits[2] / n - 0.5)).toBeLessThan(tol);
  });

  it.each([0.25, 1, 3])('samples with p ∝ exp(−(c − min) / ((max − min)·T)) at temperature %s', (T) => {
    const { ctx } = pool([4]);
    const r = new KvRouter(ctx, cfg({ router_temperature: T }), PREFILL);
    [0, 16, 48, 160].forEach((tokens, rank) => tokens > 0 && r.onRouted(req([], tokens), { worker: 0, rank }, 0));
    const q = req([], 2 * BS);
    const costs = r.costs(q).map((c) => c.cost);
    expect(costs).toEqual([4, 6, 10, 24]);
    const lo = Math.min(...costs);
    const hi = Math.max(...costs);
    const w = costs.map((c) => Math.exp(-(c - lo) / ((hi - lo) * T)));
    const p = w.map((x) => x / w.reduce((a, b) => a + b, 0));
    const n = 20000;
    const hits = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) hits[r.select(q, 0).rank!]++;
    let chi2 = 0;
    for (let i = 0; i < 4; i++) {
      expect(Math.abs(hits[i] / n - p[i])).toBeLessThan(4.5 * Math.sqrt((p[i] * (1 - p[i])) / n) + 1e-9);
      chi2 += (hits[i] - n * p[i]) ** 2 / (n * p[i]);
    }
    expect(chi2).toBeLessThan(16.27); // chi-square, 3 degrees of freedom, p = 0.001
  });

  it('samples uniformly at temperature > 0 when all costs are equal', () => {
    const { ctx } = pool([4]);
    const r = new KvRouter(ctx, cfg({ router_temperature: 0.5 }), PREFILL);
    const n = 8000;
    const hits = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) hits[r.select(req([], BS), 0).rank!]++;
    for (const h of hits) expect(Math.abs(h / n - 0.25)).toBeLessThan(4 * Math.sqrt((0.25 * 0.75) / n));
  });

  it('excludes targets whose engine KV usage is at or above busy_threshold (also in the prefill pool)', () => {
    const R = seq(0, 4);
    /** Rank 0 has the whole prefix cached; `used[i]` blocks (of 10) are held by live requests on rank i. */
    const pick = (used: number[], busy?: number) => {
      const { ctx, cache } = pool([3], 10);
      const r = new KvRouter(ctx, cfg({ busy_threshold: busy }), PREFILL);
      cacheOn(cache(0, 0), R);
      used.forEach((n, i) => n > 0 && hold(cache(0, i), seq(1000 * (i + 1), n)));
      return r.select(req(R), 0).rank;
    };
    expect(pick([0, 0, 0])).toBe(0);
    expect(pick([6, 0, 0])).toBe(0);
    expect(pick([6, 0, 0], 0.5)).not.toBe(0);
    expect(pick([6, 0, 0], 0.7)).toBe(0);
    // every target busy: Dynamo rejects (503); the simulator routes among all of them instead
    expect(pick([6, 6, 6], 0.5)).toBe(0);
  });
});

describe('KV router bookkeeping (ActiveSequences)', () => {
  it('adds on route, subtracts prefill tokens at first token, frees on finish (idempotent), dedupes shared blocks', () => {
    const { ctx, cache } = pool([1]);
    const r = new KvRouter(ctx, cfg(), AGG);
    const t = r.targets[0];
    cacheOn(cache(0), [1, 2]);
    const a = req([1, 2, 3, 4], 4 * BS + 5); // 69 tokens, 2 blocks cached
    r.onRouted(a, { worker: 0, rank: 0 }, 0);
    expect(t.activeTokens).toBe(69 - 2 * BS);
    expect(t.activeBlockCount).toBe(4);
    expect(t.requests).toBe(1);

    const b = req([1, 2, 3, 9], 4 * BS); // shares 3 blocks with a
    r.onRouted(b, { worker: 0, rank: 0 }, 0);
    expect(t.activeTokens).toBe(69 - 2 * BS + (4 * BS - 2 * BS));
    expect(t.activeBlockCount).toBe(5); // 1,2,3,4,9
    expect(t.activeBlocks.get(1)).toBe(2);
    // a third request's decode term counts only its blocks not already active
    const c = r.costs(req([1, 2, 7, 8]))[0];
    const prefillTokens = t.activeTokens + 4 * BS - 2 * BS;
    expect(c.cost).toBe(prefillTokens / BS + 5 + 2);

    r.onPrefillDone(a);
    expect(t.activeTokens).toBe(2 * BS);
    r.onPrefillDone(a);
    expect(t.activeTokens).toBe(2 * BS);
    r.onFinished(a);
    expect(t.activeBlockCount).toBe(4); // 1,2,3,9
    expect(t.activeBlocks.get(1)).toBe(1);
    expect(t.activeBlocks.has(4)).toBe(false);
    r.onFinished(a);
    expect(t.activeBlockCount).toBe(4);
    expect(t.requests).toBe(1);

    r.onFinished(b); // finished without a first token: its pending prefill goes too
    expect(t.activeTokens).toBe(0);
    expect(t.activeBlockCount).toBe(0);
    expect(t.activeBlocks.size).toBe(0);
    expect(t.requests).toBe(0);
  });

  it('counts every block privately when assume_kv_reuse is off (decode routing)', () => {
    const { ctx } = pool([1]);
    const r = new KvRouter(ctx, cfg({ kv_overlap_score_weight: 0 }), { trackActiveBlocks: true, trackPrefillTokens: false, assumeKvReuse: false, useCacheEvents: false });
    const t = r.targets[0];
    const a = req([1, 2, 3]);
    const b = req([1, 2, 3]);
    r.onRouted(a, { worker: 0, rank: 0 }, 0);
    r.onRouted(b, { worker: 0, rank: 0 }, 0);
    expect(t.activeBlockCount).toBe(6);
    expect(t.activeTokens).toBe(0);
    expect(r.costs(req([1, 2]))[0].cost).toBe(8);
    r.onFinished(a);
    r.onFinished(b);
    expect(t.activeBlockCount).toBe(0);
  });
});

describe('KV router prefix index', () => {
  it('follows stored / removed events of a real BlockCache, eviction included', () => {
    const { ctx, cache } = pool([2], 6);
    const r = new KvRouter(ctx, cfg(), PREFILL);
    const A = seq(1, 4);
    cacheOn(cache(0, 0), A);
    expect(r.costs(req(A)).map((c) => c.overlap)).toEqual([4, 0]);
    expect(r.select(req(A), 0)).toEqual({ worker: 0, rank: 0 });
    // 4 new blocks on a 6-block rank: two idle blocks of A are evicted, the tail of the prompt first
    const held = hold(cache(0, 0), seq(50, 4));
    expect(cache(0, 0).evictedBlocks).toBe(2);
    expect(r.costs(req(A)).map((c) => c.overlap)).toEqual([2, 0]);
    expect(r.targets[0].treeSize).toBe(6);
    cache(0, 0).release(held);
  });

  it('applies KV events only kv_event_delay_ms after they happen', () => {
    const { ctx, cache, clock } = pool([2], 6);
    const r = new KvRouter(ctx, cfg({ kv_event_delay_ms: 100 }), PREFILL);
    const A = seq(1, 4);
    clock.now = 0;
    cacheOn(cache(0, 1), A);
    r.select(req(A), 99);
    expect(r.costs(req(A))[1].overlap).toBe(0);
    expect(r.select(req(A), 100)).toEqual({ worker: 0, rank: 1 });
    expect(r.costs(req(A))[1].overlap).toBe(4);
    clock.now = 200;
    const held = hold(cache(0, 1), seq(50, 6)); // evicts all of A
    r.select(req(A), 299);
    expect(r.costs(req(A))[1].overlap).toBe(4); // the router still believes A is cached
    r.select(req(A), 300);
    expect(r.costs(req(A))[1].overlap).toBe(0);
    cache(0, 1).release(held);
  });

  it('without KV events assumes routed blocks cached for router_ttl_secs, then forgets them', () => {
    const { ctx, cache } = pool([1, 1]);
    const r = new KvRouter(ctx, cfg({ kv_events: false, router_ttl_secs: 120 }), { ...PREFILL, useCacheEvents: false });
    cacheOn(cache(0), seq(1, 4)); // real cache content is invisible without events
    const A = seq(1, 4);
    const t0 = r.select(req(A), 0);
    const first = req(A);
    r.onRouted(first, t0, 0);
    r.onPrefillDone(first); // no pending prefill left to weigh against the overlap
    const other = 1 - t0.worker;
    const at = (ms: number) => {
      r.select(req([999]), ms); // advances the router clock (and prunes expired entries)
      return r.costs(req(A)).map((c) => c.overlap);
    };
    expect(at(60_000)[t0.worker]).toBe(4);
    expect(at(60_000)[other]).toBe(0);
    expect(r.select(req(A), 60_000)).toEqual(t0);
    expect(at(119_999)[t0.worker]).toBe(4);
    expect(at(120_000)[t0.worker]).toBe(0);
    expect(r.targets[t0.worker].treeSize).toBe(0);
    // routing again refreshes the TTL
    r.onRouted(req(A), t0, 130_000);
    expect(at(249_999)[t0.worker]).toBe(4);
    expect(at(250_000)[t0.worker]).toBe(0);
  });
});
