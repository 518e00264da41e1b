// The compact prefix-property scan of trace files answers exactly as the engine's PrefixPropertyScan.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PrefixPropertyScan } from '../src/kv/block-hash.ts';
import { CompactPrefixScan } from '../src/trace/prefix-scan.ts';

const both = (prompts: number[][], maxId: number) => {
  const a = new PrefixPropertyScan(maxId);
  const b = new CompactPrefixScan(maxId);
  for (const p of prompts) {
    a.add(p);
    b.add(p);
  }
  return [a.holds, b.holds];
};

describe('CompactPrefixScan', () => {
  it('agrees with PrefixPropertyScan on random prompts (shared prefixes, consecutive ids, sparse ids)', () => {
    const prompt = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 12 }),
      fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 30 })).map(([shared, start, n]) => [
        ...Array.from({ length: shared }, (_, i) => i + 1),
        ...Array.from({ length: n }, (_, i) => start + i),
      ]),
      fc.array(fc.integer({ min: 0, max: 2 ** 26 }), { maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(prompt, { maxLength: 40 }), fc.constantFrom(2 ** 30, 1000, 100_000), (prompts, maxId) => {
        const [a, b] = both(prompts, maxId);
        expect(b).toBe(a);
      }),
      { numRuns: 400 },
    );
  });

  it('holds on a datagen-like trace and breaks on a changed parent', () => {
    const prompts = [[1, 2, 3, 10, 11], [1, 2, 3, 12, 13], [1, 2, 20, 21]];
    expect(both(prompts, 2 ** 30)).toEqual([true, true]);
    expect(both([...prompts, [2, 3]], 2 ** 30)).toEqual([false, false]);
    expect(both([...prompts, [5, 11]], 2 ** 30)).toEqual([false, false]);
  });
});
