// KeyTable against a Map under long random sequences of set/delete/get, across growth and wrap-around.
import { describe, expect, it } from 'vitest';
import { KeyTable } from '../src/util/key-table.ts';
import { makeRng } from '../src/util/random.ts';

function check(keySpace: (u: number) => number, ops: number, seed: string): void {
  const rng = makeRng(seed);
  const t = new KeyTable(4);
  const m = new Map<number, number>();
  for (let i = 0; i < ops; i++) {
    const k = keySpace(rng());
    const op = rng();
    if (op < 0.45) {
      const v = Math.floor(rng() * 1000);
      t.set(k, v);
      m.set(k, v);
    } else if (op < 0.8) expect(t.delete(k)).toBe(m.delete(k));
    else expect(t.get(k)).toBe(m.get(k) ?? -1);
    expect(t.size).toBe(m.size);
  }
  for (const [k, v] of m) expect(t.get(k)).toBe(v);
  const seen = new Map<number, number>();
  t.forEach((k, v) => seen.set(k, v));
  expect(seen).toEqual(m);
}

describe('KeyTable', () => {
  it('matches a Map on a small dense key space (long probe runs, many deletions)', () => {
    check((u) => Math.floor(u * 64), 20_000, 'dense');
  });
  it('matches a Map on small integers and on 53-bit hashes', () => {
    check((u) => Math.floor(u * 5000), 20_000, 'ints');
    check((u) => Math.floor(u * 200) * 2 ** 40 + 7, 20_000, 'wide');
    check((u) => Math.floor(u * 2 ** 53), 5_000, 'hashes');
  });
  it('widens from int32 to float64 slots when a large key or value arrives, keeping what it holds', () => {
    check((u) => (u < 0.999 ? Math.floor(u * 3000) : 2 ** 31 + Math.floor(u * 1000)), 20_000, 'widen-key');
    const t = new KeyTable(4);
    for (let k = 0; k < 100; k++) t.set(k, k);
    t.set(5, 2 ** 40);
    expect(t.get(5)).toBe(2 ** 40);
    for (let k = 0; k < 100; k++) if (k !== 5) expect(t.get(k)).toBe(k);
    expect(t.size).toBe(100);
  });
  it('reports a missing key as -1 and keeps 0 as a value', () => {
    const t = new KeyTable();
    expect(t.get(3)).toBe(-1);
    t.set(3, 0);
    expect(t.get(3)).toBe(0);
    expect(t.has(3)).toBe(true);
    expect(t.delete(3)).toBe(true);
    expect(t.has(3)).toBe(false);
  });
});
