// A seeded mixed trace for whole-run tests: shared prefixes, a few prompts over max_seq_len, bursts.
import seedrandom from 'seedrandom';
import type { TraceRequest } from '../src/protocol/trace.ts';
import { makeTrace, type Row } from './helpers.ts';

/** A seeded mixed trace: shared prefixes, a few prompts over max_seq_len, bursts. */
export function mixedTrace(seed: string, n: number): TraceRequest[] {
  const rnd = seedrandom(seed);
  const rows: Row[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += Math.floor(rnd() * 250);
    const isl = i % 17 === 5 ? 130000 : 200 + Math.floor(rnd() * 9000);
    const osl = 1 + Math.floor(rnd() * 60);
    const blocks = Math.ceil(isl / 512);
    const family = Math.floor(rnd() * 4); // 4 shared system prompts of 2 blocks
    const ids = Array.from({ length: blocks }, (_, k) => (k < 2 ? family * 10 + k : 1000 * (i + 1) + k));
    rows.push({ t, isl, osl, ids });
  }
  return makeTrace(rows);
}
