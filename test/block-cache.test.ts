// Covers BlockCache (prefix hits, LRU eviction order, reuse off, refcounts, leak check, stored/removed events) and engine block hashes.
import { describe, expect, it } from 'vitest';
import { BlockCache, blocksInUnits } from '../src/kv/block-cache.ts';
import type { KvEventKind } from '../src/protocol/router.ts';
import { BlockKeyer, engineBlockHashes, hasPrefixProperty } from '../src/kv/block-hash.ts';

function withEvents(cache: BlockCache): Array<[KvEventKind, number[]]> {
  const events: Array<[KvEventKind, number[]]> = [];
  cache.onEvent((kind, hashes) => events.push([kind, [...hashes]]));
  return events;
}

/** Allocate `total` blocks for prompt `hashes`, compute all its prompt blocks, release: they become cached and free. */
function cacheAndRelease(c: BlockCache, hashes: number[], total = hashes.length): void {
  const a = c.allocate(hashes, total)!;
  expect(a).not.toBeNull();
  c.register(a, hashes, hashes.length);
  c.release(a);
}

describe('BlockCache: prefix hits', () => {
  it('counts the leading cached blocks of a new request', () => {
    const c = new BlockCache(20, true);
    const a = c.allocate([1, 2, 3], 5)!;
    expect(a.matchedBlocks).toBe(0);
    expect(a.totalBlocks).toBe(5);
    expect(c.usedBlocks).toBe(5);
    expect(c.freeBlocks).toBe(15);
    c.register(a, [1, 2, 3], 3);
    expect(a.hashed.length).toBe(3);
    expect(a.anon).toBe(2);
    expect(c.matchPrefix([1, 2, 3, 4])).toBe(3);
    expect(c.matchPrefix([1, 9, 3])).toBe(1); // a prefix, not a set: stops at the first miss
    expect(c.matchPrefix([9, 2, 3])).toBe(0);

    // a second request sharing two blocks while the first still holds them
    const b = c.allocate([1, 2, 7, 8], 6)!;
    expect(b.matchedBlocks).toBe(2);
    expect(b.hashed.length).toBe(2);
    expect(b.anon).toBe(4);
    expect(c.usedBlocks).toBe(9); // 5 + 4 new; shared blocks counted once
    c.release(a);
    c.release(b);
    expect(c.usedBlocks).toBe(0);
    expect(c.cachedFreeBlocks).toBe(3);
    expect(c.freeBlocks).toBe(17);
    c.assertNoLiveBlocks('t');
  });

  it('reuses at most maxReuseBlocks and never more than the allocation size', () => {
    const c = new BlockCache(20, true);
    cacheAndRelease(c, [1, 2, 3, 4]);
    expect(c.allocate([1, 2, 3, 4], 6, 2)!.matchedBlocks).toBe(2);
    expect(c.allocate([1, 2, 3, 4], 3)!.matchedBlocks).toBe(3);
    expect(c.allocate([1, 2, 3, 4], 6)!.matchedBlocks).toBe(4);
  });

  it('registers only fully computed blocks, incrementally, and emits stored events once per block', () => {
    const c = new BlockCache(20, true);
    const ev = withEvents(c);
    const a = c.allocate([1, 2, 3, 4], 5)!;
    c.register(a, [1, 2, 3, 4], 2);
    c.register(a, [1, 2, 3, 4], 2); // nothing new
    c.register(a, [1, 2, 3, 4], 9); // capped at the prompt's full blocks
    expect(ev).toEqual([
      ['stored', [1, 2]],
      ['stored', [3, 4]],
    ]);
    expect(a.anon).toBe(1);
    c.release(a);
    c.register(a, [1, 2, 3, 4, 5], 5); // released: ignored
    expect(ev.length).toBe(2);
  });

  it('keeps a twin computed concurrently private (no second stored event, no double count)', () => {
    const c = new BlockCache(10, true);
    const ev = withEvents(c);
    const a = c.allocate([1, 2], 2)!;
    const b = c.allocate([1, 2], 2)!; // not cached yet: both compute it
    c.register(a, [1, 2], 2);
    c.register(b, [1, 2], 2);
    expect(ev).toEqual([['stored', [1, 2]]]);
    expect(b.hashed.length).toBe(0);
    expect(b.anon).toBe(2);
    expect(c.usedBlocks).toBe(4);
    c.release(b);
    c.release(a);
    expect(c.usedBlocks).toBe(0);
    expect(c.cachedFreeBlocks).toBe(2);
    expect(c.freeBlocks).toBe(8);
    c.assertNoLiveBlocks('t');
  });
});

describe('BlockCache: LRU eviction', () => {
  it('evicts least recently released first, and a request tail before its root', () => {
    const c = new BlockCache(6, true);
    const ev = withEvents(c);
    cacheAndRelease(c, [11, 12, 13]); // A, released first
    cacheAndRelease(c, [21, 22]); // B
    ev.length = 0;
    expect(c.freeBlocks).toBe(1);
    expect(c.cachedFreeBlocks).toBe(5);

    // 3 new blocks: 1 free + evict 2 — A's tail then A's middle, never B
    const x = c.allocate([99], 3)!;
    expect(x).not.toBeNull();
    expect(ev).toEqual([['removed', [13, 12]]]);
    expect(c.evictedBlocks).toBe(2);
    expect(c.matchPrefix([11, 12, 13])).toBe(1);
    expect(c.matchPrefix([21, 22])).toBe(2);

    // next eviction takes A's root, then B's tail
    c.allocate([98], 2);
    expect(ev[1]).toEqual(['removed', [11, 22]]);
    expect(c.evictedBlocks).toBe(4);
    expect(c.matchPrefix([21, 22])).toBe(1);
  });

  it('a prefix hit refreshes recency', () => {
    const c = new BlockCache(4, true);
    const ev = withEvents(c);
    cacheAndRelease(c, [1, 2]); // A
    cacheAndRelease(c, [3, 4]); // B
    // A is hit again and released: now B is the least recently used
    const a = c.allocate([1, 2], 2)!;
    expect(a.matchedBlocks).toBe(2);
    c.release(a);
    ev.length = 0;
    c.allocate([7], 1);
    expect(ev).toEqual([['removed', [4]]]);
  });

  it('held blocks are never evicted and a request that does not fit changes nothing', () => {
    const c = new BlockCache(4, true);
    cacheAndRelease(c, [1, 2, 3]); // 3 cached, 1 free
    const ev = withEvents(c);
    // reusing all 3 cached blocks pins them: only the 1 free block is left for the rest
    expect(c.allocate([1, 2, 3], 5)).toBeNull();
    expect(c.cachedFreeBlocks).toBe(3);
    expect(c.freeBlocks).toBe(1);
    const held = c.allocate([1, 2, 3], 4)!;
    expect(held.matchedBlocks).toBe(3);
    expect(c.cachedFreeBlocks).toBe(0);
    expect(c.freeBlocks).toBe(0);
    expect(c.allocate([5], 1)).toBeNull();
    expect(ev).toEqual([]);
    c.release(held);
    expect(c.freeBlocks).toBe(1); // its private block
    expect(c.allocate([5], 2)).not.toBeNull(); // the free block plus the LRU head: the prompt tail
    expect(ev).toEqual([['removed', [3]]]);
  });

});

describe('BlockCache: reuse off', () => {
  it('never hits, never caches, never emits events', () => {
    const c = new BlockCache(10, false);
    const ev = withEvents(c);
    cacheAndRelease(c, [1, 2, 3]);
    expect(c.matchPrefix([1, 2, 3])).toBe(0);
    const a = c.allocate([1, 2, 3], 3)!;
    expect(a.matchedBlocks).toBe(0);
    expect(a.anon).toBe(3);
    c.register(a, [1, 2, 3], 3);
    expect(a.hashed.length).toBe(0);
    c.release(a);
    expect(c.cachedFreeBlocks).toBe(0);
    expect(c.freeBlocks).toBe(10);
    expect(ev).toEqual([]);
  });
});

describe('BlockCache: refcounts and leaks', () => {
  it('shared blocks stay held until the last holder releases', () => {
    const c = new BlockCache(10, true);
    cacheAndRelease(c, [1, 2]);
    const a = c.allocate([1, 2], 2)!;
    const b = c.allocate([1, 2], 3)!;
    expect(a.hashed[0]).toBe(b.hashed[0]);
    expect(c.usedBlocks).toBe(3);
    c.release(a);
    expect(c.cachedFreeBlocks).toBe(0); // b still holds them
    expect(() => c.assertNoLiveBlocks('rank0')).toThrow(/^rank0: /);
    c.release(b);
    expect(c.cachedFreeBlocks).toBe(2);
    c.assertNoLiveBlocks('rank0');
  });

  it('a double free throws', () => {
    const c = new BlockCache(10, true);
    const a = c.allocate([1], 2)!;
    c.release(a);
    expect(() => c.release(a)).toThrow(/double free/);
  });

  it('assertNoLiveBlocks catches a leaked private or shared allocation', () => {
    const c = new BlockCache(10, true);
    c.allocate([1], 2);
    expect(() => c.assertNoLiveBlocks('agg0.r1')).toThrow('agg0.r1: 2 private KV blocks leaked');
    const d = new BlockCache(10, true);
    const a = d.allocate([1], 1)!;
    d.register(a, [1], 1);
    expect(() => d.assertNoLiveBlocks('x')).toThrow(/x: KV block 1 leaked with refcount 1/);
  });

  it('rejects a non-positive or fractional capacity', () => {
    expect(() => new BlockCache(0, true)).toThrow();
    expect(() => new BlockCache(2.5, true)).toThrow();
  });
});

describe('engineBlockHashes', () => {
  it('gives one chained hash per full engine block', () => {
    expect(engineBlockHashes([1, 2], 600, 512, 64).length).toBe(9); // floor(600 / 64)
    expect(engineBlockHashes([1], 63, 512, 64)).toEqual([]);
    expect(engineBlockHashes([1, 2], 1024, 512, 64).length).toBe(16);
  });

  it('equal prefixes hash equal; a difference changes every later block', () => {
    const a = engineBlockHashes([5, 6, 7], 1536, 512, 64);
    const b = engineBlockHashes([5, 6, 8], 1536, 512, 64);
    const c = engineBlockHashes([5, 9, 7], 1536, 512, 64);
    expect(b.slice(0, 16)).toEqual(a.slice(0, 16));
    for (let j = 16; j < 24; j++) expect(b[j]).not.toBe(a[j]);
    expect(c.slice(0, 8)).toEqual(a.slice(0, 8));
    for (let j = 8; j < 24; j++) expect(c[j]).not.toBe(a[j]); // chained: same trace id 7 later still differs
    expect(new Set(a).size).toBe(24);
    for (const h of a) expect(Number.isSafeInteger(h) && h >= 0).toBe(true);
  });

  it('is a function of the content only, and needs an engine block dividing the trace block', () => {
    expect(engineBlockHashes([3, 4], 1024, 512, 64)).toEqual(engineBlockHashes([3, 4], 1024, 512, 64));
    expect(engineBlockHashes([3, 4], 1024, 512, 32).length).toBe(32);
    expect(() => engineBlockHashes([3], 512, 512, 96)).toThrow(/multiple/);
  });
});

describe('BlockCache: keyed units (perKey engine blocks per key)', () => {
  it('blocksInUnits counts whole units and a shorter last unit', () => {
    expect(blocksInUnits(0, 3, 8, 5)).toBe(0);
    expect(blocksInUnits(2, 3, 8, 5)).toBe(16);
    expect(blocksInUnits(3, 3, 8, 5)).toBe(21);
    expect(blocksInUnits(9, 3, 8, 5)).toBe(21);
  });

  it('caches, matches and evicts whole units, counting engine blocks', () => {
    const c = new BlockCache(40, true);
    const ev = withEvents(c);
    const a = c.allocate([1, 2, 3], 22, Infinity, 8, 5)!;
    c.register(a, [1, 2, 3], 15, 8, 5); // only unit 1 (blocks 0..7) is complete
    c.register(a, [1, 2, 3], 20, 8, 5); // unit 2 (blocks 8..15) too, unit 3 (16..20) not yet
    expect(ev).toEqual([
      ['stored', [1]],
      ['stored', [2]],
    ]);
    c.register(a, [1, 2, 3], 21, 8, 5);
    expect(ev[2]).toEqual(['stored', [3]]);
    expect(a.anon).toBe(1);
    c.release(a);
    expect(c.cachedFreeBlocks).toBe(21);
    expect(c.freeBlocks).toBe(19);
    const b = c.allocate([1, 2, 9], 24, 23, 8, 8)!;
    expect(b.matchedBlocks).toBe(16);
    c.release(b);
    // evicting 1 block takes a whole unit: the least recently released tail (key 3, 5 blocks)
    ev.length = 0;
    c.allocate([50], 19 + 1);
    expect(ev).toEqual([['removed', [3]]]);
    expect(c.evictedBlocks).toBe(5);
  });

  it('the reuse cap may end inside the last unit: it is shared, the rest recomputed privately', () => {
    const c = new BlockCache(40, true);
    const a = c.allocate([1, 2], 17, Infinity, 8, 8)!;
    c.register(a, [1, 2], 16, 8, 8);
    c.release(a);
    // the same 1024-token prompt again: at most floor(1023 / 64) = 15 blocks may be reused
    const b = c.allocate([1, 2], 17, 15, 8, 8)!;
    expect(b.matchedBlocks).toBe(15);
    expect(b.anon).toBe(2);
    expect(b.totalBlocks).toBe(17);
    expect(c.usedBlocks).toBe(18); // 16 shared + 2 private
    c.release(b);
    c.assertNoLiveBlocks('t');
  });

  it('a cached unit longer than the request\'s own last unit counts only the request\'s blocks', () => {
    const c = new BlockCache(40, true);
    const a = c.allocate([1, 2], 17, Infinity, 8, 8)!; // 1024-token prompt
    c.register(a, [1, 2], 16, 8, 8);
    c.release(a);
    // an 800-token prompt with the same ids: 12 full blocks (8 + 4), needs ceil(801 / 64) = 13
    const b = c.allocate([1, 2], 13, 12, 8, 4)!;
    expect(b.matchedBlocks).toBe(12);
    expect(b.anon).toBe(1);
    expect(b.totalBlocks).toBe(13);
    c.release(b);
    c.assertNoLiveBlocks('t');
    expect(c.freeBlocks + c.cachedFreeBlocks).toBe(40);
  });
});

describe('BlockKeyer', () => {
  it('uses trace ids as 8-block units when the trace has the prefix property', () => {
    const k = new BlockKeyer(hasPrefixProperty([{ hashIds: [1, 2, 3] }, { hashIds: [1, 2, 4] }, { hashIds: [5] }], 2 ** 30), 512, 64);
    expect(k.mode).toBe('trace-id');
    expect(k.chain([1, 2, 3], 1300)).toEqual({ keys: [1, 2, 3], perKey: 8, lastKeyBlocks: 4 }); // 20 full blocks
    expect(k.chain([1, 2], 1024)).toEqual({ keys: [1, 2], perKey: 8, lastKeyBlocks: 8 });
    expect(k.chain([1, 2], 520)).toEqual({ keys: [1], perKey: 8, lastKeyBlocks: 8 }); // the partial second block has no key
    expect(k.chain([1], 63).keys).toEqual([]);
  });

  it('falls back to chained engine-block hashes otherwise', () => {
    expect(hasPrefixProperty([{ hashIds: [1, 2] }, { hashIds: [3, 2] }], 2 ** 30)).toBe(false); // 2 after different parents
    expect(hasPrefixProperty([{ hashIds: [1, 2] }, { hashIds: [2] }], 2 ** 30)).toBe(false); // 2 at a different position
    expect(hasPrefixProperty([{ hashIds: [2 ** 30] }], 2 ** 30)).toBe(false);
    const k = new BlockKeyer(hasPrefixProperty([{ hashIds: [1, 2] }, { hashIds: [3, 2] }], 2 ** 30), 512, 64);
    expect(k.mode).toBe('chained');
    expect(k.chain([1, 2], 1000)).toEqual({ keys: engineBlockHashes([1, 2], 1000, 512, 64), perKey: 1, lastKeyBlocks: 1 });
  });
});
