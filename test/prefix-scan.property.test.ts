// The compact prefix-property scan answers exactly as the straightforward one it replaced (a parent
// array of 4 bytes an id, kept here as the reference).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactPrefixScan } from '../src/kv/prefix-scan.ts';

/**
 * Whether a trace keeps the prefix property, learned one request at a time: each id always follows the
 * same id (so an id implies its whole prefix), and every id is below `maxId`. Ids much sparser than the
 * trace so far (e.g. content hashes) stop the scan: such a trace uses chained keys.
 */
class ReferenceScan {
  /** parent[id] + 2: 0 = not seen yet, 1 = at the start of a prompt, else the id before it + 2. */
  private parent = new Int32Array(1 << 16);
  private ids = 0;
  holds = true;

  constructor(private readonly maxId: number) {}

  add(hashIds: readonly number[]): void {
    if (!this.holds) return;
    this.ids += hashIds.length;
    let prev = -1;
    for (const id of hashIds) {
      if (id >= this.parent.length && !this.grow(id)) return;
      const p = this.parent[id];
      if (p === 0) this.parent[id] = prev + 2;
      else if (p !== prev + 2) {
        this.holds = false;
        return;
      }
      prev = id;
    }
  }

  private grow(id: number): boolean {
    if (id >= this.maxId || id > 16 * this.ids + (1 << 24)) {
      this.holds = false;
      return false;
    }
    const next = new Int32Array(Math.min(this.maxId, Math.max(2 * this.parent.length, id + 1)));
    next.set(this.parent);
    this.parent = next;
    return true;
  }
}

const both = (prompts: number[][], maxId: number) => {
  const a = new ReferenceScan(maxId);
  const b = new CompactPrefixScan(maxId);
  for (const p of prompts) {
    a.add(p);
    b.add(p);
  }
  return [a.holds, b.holds];
};

describe('CompactPrefixScan', () => {
  it('agrees with the reference scan on random prompts (shared prefixes, consecutive ids, sparse ids)', () => {
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
