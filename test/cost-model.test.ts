// Covers the cost-model plumbing: interpolation helpers (linear, cumulative prompt cost, bilinear with
// its exact line along rows), loading with the shared calibration file and overrides, platforms, KV transfer.
import { describe, expect, it } from 'vitest';
import { loadCostModel } from '../src/cost/load.ts';
import { Bilinear2D, Cumulative1D, Linear1D, monotone, monotoneGrid } from '../src/cost/interp.ts';
import { InputError } from '../src/util/errors.ts';
import { cost, MODEL, workerCost } from './helpers.ts';

const p = cost.params;

describe('interpolation helpers', () => {
  it('Linear1D interpolates, holds below the first key and extrapolates past the last', () => {
    const f = new Linear1D([0, 10, 20], [1, 3, 2]);
    expect(f.at(5)).toBe(2);
    expect(f.at(15)).toBe(2.5);
    expect(f.at(30)).toBe(1); // last slope -0.1 continued
    expect(f.at(-5)).toBe(1);
    expect(f.lastKey).toBe(20);
    expect(() => new Linear1D([1, 1], [0, 0])).toThrow(/increase/);
    expect(() => new Linear1D([1], [0])).toThrow();
  });

  it('monotone: each value capped by the values at larger keys (single-point spikes removed)', () => {
    expect(monotone([1, 5, 4, 12])).toEqual([1, 4, 4, 12]);
    expect(monotone([0.069, 0.015, 0.0153, 0.0167])).toEqual([0.015, 0.015, 0.0153, 0.0167]);
    expect(monotoneGrid([[3, 1], [2, 4]])).toEqual([[1, 1], [2, 4]]);
  });

  it('Cumulative1D: through (0, 0) and the points, growing marginal cost past the last key', () => {
    const t = new Cumulative1D([1, 10, 20, 40], [1, 4, 5, 12]);
    expect(t.at(0)).toBe(0);
    expect(t.at(0.5)).toBe(0.5);
    expect(t.at(10)).toBe(4);
    expect(t.at(30)).toBe(8.5);
    // marginals 0.1 on [10,20] (mid 15) and 7/20 on [20,40] (mid 30): slope 0.25/15 per token past 40
    const slope = 0.25 / 15;
    const beyond = (s: number) => 12 + (s - 40) * 0.35 + (slope / 2) * ((s - 30) ** 2 - 10 ** 2);
    expect(t.at(50)).toBeCloseTo(beyond(50), 12);
    expect(t.at(50) - t.at(40)).toBeGreaterThan(0.35 * 10);
    expect(() => new Cumulative1D([1, 10, 20], [1, 5, 4])).toThrow(/decrease/);
  });

  it('Bilinear2D interpolates, clamps rows, and clamps or extrapolates columns', () => {
    const b = new Bilinear2D([0, 10], [0, 1], [[0, 1], [10, 11]]);
    expect(b.at(5, 0.5)).toBe(5.5);
    expect(b.at(-1, -1)).toBe(0);
    expect(b.at(99, 99)).toBe(11);
    const e = new Bilinear2D([0, 10], [0, 1], [[0, 1], [10, 11]], true);
    expect(e.at(10, 3)).toBe(13);
    expect(() => new Bilinear2D([0, 1], [0, 1], [[0, 1]])).toThrow(/shape/);
  });
});

describe('decode attention as a line in context (used for runs of decode steps)', () => {
  it('matches the table exactly up to the next row key, and past the table ends', () => {
    const w = workerCost();
    for (const [b, ctx] of [[1, 500], [3, 1500], [8, 40000], [5, 131072], [2, 200000], [64, 4095], [300, 5000]] as const) {
      const line = w.decodeAttentionLine(b, ctx);
      for (const d of [0, 1, 7, 300]) {
        if (ctx + d >= line.untilContextTokens) continue;
        expect(line.valueMs + line.slopeMs * d).toBeCloseTo(w.decodeAttentionMs(b, ctx + d), 9);
      }
      expect(line.untilContextTokens).toBeGreaterThan(ctx);
    }
  });
});

describe('loadCostModel', () => {
  it('reads the shared calibration file and applies overrides to that model only', () => {
    const c = loadCostModel(MODEL, { attentionScale: 1.5 * p.attentionScale, hostOverheadMs: 3, kvTransferGBps: 2 * p.kvTransferGBps });
    expect(c.params.attentionScale).toBe(1.5 * p.attentionScale);
    const f = cost.spec.kvTransfer.fixedMs;
    expect(workerCost({ model: c }).kvTransferMs(1000) - f).toBeCloseTo((workerCost().kvTransferMs(1000) - f) / 2, 9);
    const shape = { maxAttentionMs: 10, globalTokens: 64, maxRankTokens: 16, maxRankSequences: 16 };
    expect(workerCost({ model: c }).iterationMs(shape, false) - workerCost().iterationMs(shape, false)).toBeCloseTo(10 * 0.5 * p.attentionScale + 3 - p.hostOverheadMs, 9);
    expect(loadCostModel(MODEL).params).toEqual(p);
    // both model files share one parameter set
    expect(loadCostModel('gb200-dsr1-nvfp4-trtllm').params).toEqual(p);
  });

  it('reports an unknown model or calibration parameter as an input error', () => {
    expect(() => loadCostModel('no-such-model')).toThrow(InputError);
    expect(() => loadCostModel('no-such-model')).toThrow(/^model: unknown cost model 'no-such-model'; known: gb200-dsr1-nvfp4-trtllm, gb200-dsv32-nvfp4-trtllm/);
    expect(() => loadCostModel(MODEL, { nope: 1 } as never)).toThrow(/parameters\.nope: unknown calibration parameter/);
  });
});

describe('platforms and KV transfer', () => {
  it('platform slowdowns: a number, a calibration parameter for some roles, or 1', () => {
    expect(cost.platformSlowdown('aws-gb200-k8s', 'agg')).toBe(p.k8sIterationSlowdown);
    expect(cost.platformSlowdown('aws-gb200-k8s', 'prefill')).toBe(1);
    expect(cost.platformSlowdown('nvl36-gb200-slurm', 'agg')).toBe(1);
    expect(() => cost.platformSlowdown('aws-gb200-k8', 'agg')).toThrow(/platform.name: unknown platform 'aws-gb200-k8' \(did you mean 'aws-gb200-k8s'\?\)/);
  });

  it('KV transfer is fixed + bytes / bandwidth, with the DSA indexer K in the bytes', () => {
    const w = workerCost();
    expect(w.kvBytesPerToken).toBe(35136 + 8052);
    expect(w.kvTransferMs(1000)).toBeCloseTo(cost.spec.kvTransfer.fixedMs + ((1000 * 43188) / (p.kvTransferGBps * 1e9)) * 1000, 9);
    const r1 = workerCost({ model: loadCostModel('gb200-dsr1-nvfp4-trtllm') });
    expect(r1.kvBytesPerToken).toBe(35136);
  });
});
