// Property test of the KV block cache: random allocate / register / release sequences over shared
// prefixes never lose or double-count a block, and end with nothing held.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Allocation, BlockCache } from '../src/kv/block-cache.ts';

/** Keys of a prompt: `depth` units along branch `branch` of a small prefix tree (shared roots). */
function chain(branch: number, depth: number): number[] {
  return Array.from({ length: depth }, (_, i) => (i < 2 ? i : branch * 100 + i));
}

describe('BlockCache invariants under random traffic', () => {
  it('blocks held + cached + free = capacity at every step; nothing held at the end', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('alloc' as const), branch: fc.integer({ min: 0, max: 4 }), depth: fc.integer({ min: 1, max: 6 }), extra: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ kind: fc.constant('register' as const), pick: fc.nat(), upto: fc.integer({ min: 0, max: 60 }) }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
    );
    fc.assert(
      // one unit size per run, as in a simulation (the keyer picks it once per trace)
      fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 20, max: 120 }), fc.boolean(), fc.constantFrom(1, 8), (ops, capacity, reuse, perKey) => {
        const cache = new BlockCache(capacity, reuse);
        const live: { a: Allocation; keys: number[]; perKey: number; last: number }[] = [];
        for (const o of ops) {
          if (o.kind === 'alloc') {
            const keys = chain(o.branch, o.depth);
            const promptBlocks = keys.length * perKey;
            const a = cache.allocate(keys, promptBlocks + o.extra, promptBlocks - 1, perKey, perKey);
            if (a) {
              expect(a.totalBlocks).toBe(promptBlocks + o.extra);
              live.push({ a, keys, perKey, last: perKey });
            }
          } else if (live.length > 0) {
            const i = o.pick % live.length;
            if (o.kind === 'register') cache.register(live[i].a, live[i].keys, o.upto, live[i].perKey, live[i].last);
            else {
              cache.release(live[i].a);
              expect(() => cache.release(live[i].a)).toThrow(/double free/);
              live.splice(i, 1);
            }
          }
          const held = live.reduce((n, l) => n + l.a.totalBlocks, 0);
          // shared units count once; a unit reused only in part (the reuse cap ends inside it) stays
          // resident whole while the request recomputes the capped-off blocks privately
          expect(cache.usedBlocks).toBeLessThanOrEqual(held + live.length * (perKey - 1));
          expect(cache.usedBlocks + cache.cachedFreeBlocks + cache.freeBlocks).toBe(capacity);
          expect(cache.freeBlocks).toBeGreaterThanOrEqual(0);
        }
        for (const l of live) cache.release(l.a);
        expect(cache.usedBlocks).toBe(0);
        expect(() => cache.assertNoLiveBlocks('property')).not.toThrow();
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});
