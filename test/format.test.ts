// Covers formatBlock: the seed document's three "Serving Benchmark Result" blocks reproduced character for character, and Python-compatible 2-decimal rounding.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { centre, formatBlock, line } from '../src/metrics/format.ts';
import type { BlockFigures } from '../src/protocol/summary.ts';

const SEED = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/reference/000_79a8685ba88a4ebb.txt');
const HAVE_SEED = existsSync(SEED);

/** The "Disaggregated + KV Router" block of the seed document, embedded so this runs without ../shared. */
const DISAGG_BLOCK = `============ Serving Benchmark Result ============
Request throughput (req/s):              1.96
Output token throughput (tok/s):         674.81
Total Token throughput (tok/s):          77648.90
---------------Time to First Token----------------
Mean TTFT (ms):                          3861.69
Median TTFT (ms):                        2342.79
P99 TTFT (ms):                           11993.38
-----Time per Output Token (excl. 1st token)------
Mean TPOT (ms):                          18.73
Median TPOT (ms):                        18.54
P99 TPOT (ms):                           27.56
---------------Inter-token Latency----------------
Mean ITL (ms):                           18.73
Median ITL (ms):                         18.54
P99 ITL (ms):                            27.56
----------------End-to-end Latency----------------
Mean E2EL (ms):                          10165.80
Median E2EL (ms):                        9697.64
P99 E2EL (ms):                           26077.58
==================================================`;

const DISAGG_FIGURES: BlockFigures = {
  requestThroughput: 1.96,
  outputTokenThroughput: 674.81,
  totalTokenThroughput: 77648.9,
  ttftMs: { mean: 3861.69, median: 2342.79, p99: 11993.38 },
  tpotMs: { mean: 18.73, median: 18.54, p99: 27.56 },
  itlMs: { mean: 18.73, median: 18.54, p99: 27.56 },
  e2elMs: { mean: 10165.8, median: 9697.64, p99: 26077.58 },
};

/** Every "Serving Benchmark Result" block of a text, from its title line to the closing rule. */
function blocksOf(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].includes(' Serving Benchmark Result ')) continue;
    const j = lines.findIndex((l, k) => k > i && /^=+$/.test(l));
    out.push(lines.slice(i, j + 1).join('\n'));
    i = j;
  }
  return out;
}

/** The figures a block reports, read back from its lines. */
function figuresOf(block: string): BlockFigures {
  const v = new Map<string, number>();
  for (const l of block.split('\n')) {
    const m = /^(.+?:)\s+(-?\d+\.\d\d)$/.exec(l);
    if (m) v.set(m[1], Number(m[2]));
  }
  const get = (label: string) => {
    const x = v.get(label);
    if (x === undefined) throw new Error(`no "${label}" line in the block`);
    return x;
  };
  const three = (short: string) => ({ mean: get(`Mean ${short} (ms):`), median: get(`Median ${short} (ms):`), p99: get(`P99 ${short} (ms):`) });
  return {
    requestThroughput: get('Request throughput (req/s):'),
    outputTokenThroughput: get('Output token throughput (tok/s):'),
    totalTokenThroughput: get('Total Token throughput (tok/s):'),
    ttftMs: three('TTFT'),
    tpotMs: three('TPOT'),
    itlMs: three('ITL'),
    e2elMs: three('E2EL'),
  };
}

describe('formatBlock (embedded seed block)', () => {
  it('reproduces the Disaggregated + KV Router block exactly', () => {
    expect(formatBlock(DISAGG_FIGURES)).toBe(DISAGG_BLOCK);
  });

  it('has 50-column rules and values in column 42', () => {
    const lines = formatBlock(DISAGG_FIGURES).split('\n');
    expect(lines.length).toBe(21); // title, 3 throughputs, 4 sections of title + 3, closing rule
    for (const l of lines.filter((x) => /^[=-]/.test(x))) expect(l.length).toBe(50);
    for (const l of lines.filter((x) => /\d$/.test(x))) expect(l[40]).toBe(' ');
    for (const l of lines) expect(l).toBe(l.trimEnd());
  });

  it('centres like Python (extra fill on the right)', () => {
    expect(centre('Time to First Token', '-')).toBe(`${'-'.repeat(15)}Time to First Token${'-'.repeat(16)}`);
    expect(centre(' Serving Benchmark Result ', '=')).toBe(`${'='.repeat(12)} Serving Benchmark Result ${'='.repeat(12)}`);
    expect(centre('x'.repeat(60), '-')).toBe('x'.repeat(60));
  });
});

describe.skipIf(!HAVE_SEED)(`formatBlock (seed document ${HAVE_SEED ? 'found' : `NOT FOUND at ${SEED}: skipped`})`, () => {
  const blocks = HAVE_SEED ? blocksOf(readFileSync(SEED, 'utf8')) : [];

  it('finds the three reported blocks', () => {
    expect(blocks.length).toBe(3);
    expect(blocks).toContain(DISAGG_BLOCK);
  });

  it.each([0, 1, 2])('reproduces block %i character for character from its figures', (i) => {
    expect(formatBlock(figuresOf(blocks[i]))).toBe(blocks[i]);
  });
});

describe("line: Python's '{:<40} {:.2f}' rounding", () => {
  // Python rounds exact binary ties to even; Number.prototype.toFixed rounds them away from zero.
  it.each([
    [347687.125, '347687.12'],
    [0.125, '0.12'],
    [0.375, '0.38'],
    [0.625, '0.62'],
    [2.875, '2.88'],
    [-0.125, '-0.12'],
    [2.675, '2.67'], // 2.67499999... in binary
    [1.005, '1.00'],
    [18.734, '18.73'],
    [18.735001, '18.74'],
    [77648.9, '77648.90'],
    [0, '0.00'],
  ])('%d → %s', (value, text) => {
    expect(line('Mean TTFT (ms):', value)).toBe(`${'Mean TTFT (ms):'.padEnd(40)} ${text}`);
  });

  it('prints NaN and infinities the way Python does', () => {
    expect(line('Mean ITL (ms):', Number.NaN).endsWith(' nan')).toBe(true);
    expect(line('Mean ITL (ms):', Number.POSITIVE_INFINITY).endsWith(' inf')).toBe(true);
  });
});
