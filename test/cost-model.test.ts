// Covers the cost model against hand-computed values from models/gb200-dsv32-nvfp4-trtllm.json (op tables literal, calibration parameters read from the file), overrides, platforms, and the interpolation helpers.
import { describe, expect, it } from 'vitest';
import { loadCostModel } from '../src/cost/load.ts';
import { Bilinear2D, Linear1D } from '../src/cost/interp.ts';
import { InputError } from '../src/util/errors.ts';
import { cost, KV_BYTES_PER_TOKEN, MODEL, workerCost } from './helpers.ts';

// 61 layers, 58 MoE layers; prefill µs/token/layer 0.506 @256, 0.361 @768, ...; decode ms/layer 0.127 @(1024 ctx, 1 req)
const p = cost.params;
const prefillScale = p.prefillAttentionScale;

describe('CostModel (hand-computed from the model file)', () => {
  it('prefill attention integrates the marginal per-token cost over positions', () => {
    expect(cost.prefillAttentionMs(0, 256)).toBeCloseTo(((256 * 0.506 * 61) / 1000) * prefillScale, 9); // 7.901696 × scale
    expect(cost.prefillAttentionMs(256, 512)).toBeCloseTo(((512 * ((0.506 + 0.361) / 2) * 61) / 1000) * prefillScale, 9); // 13.539072 × scale
    expect(cost.prefillAttentionMs(0, 768)).toBeCloseTo(21.440768 * prefillScale, 9);
    expect(cost.prefillAttentionMs(100, 50)).toBeCloseTo(((50 * 0.506 * 61) / 1000) * prefillScale, 9); // held below the first key
    // chunks add up to the whole prompt
    expect(cost.prefillAttentionMs(0, 8192) + cost.prefillAttentionMs(8192, 8192)).toBeCloseTo(cost.prefillAttentionMs(0, 16384), 9);
  });

  it('prefill attention extrapolates linearly beyond the last key', () => {
    const slope = (0.77 - 0.609) / 12288;
    const at30000 = 0.77 + slope * (30000 - 24576);
    const us = ((30000 - 24576) * (0.77 + at30000)) / 2;
    expect(cost.prefillAttentionMs(24576, 30000 - 24576)).toBeCloseTo(((us * 61) / 1000) * prefillScale, 9);
  });

  it('decode attention is bilinear in (KV length, requests) and clamped at the table edges', () => {
    expect(cost.decodeAttentionMs(1, 1024)).toBeCloseTo(0.127 * 61, 9);
    // between rows 1024/2048 and columns 2/4, halfway both ways: (0.128 + 0.132 + 0.151 + 0.152) / 4
    expect(cost.decodeAttentionMs(3, 1536)).toBeCloseTo(0.14075 * 61, 9);
    expect(cost.decodeAttentionMs(500, 1e6)).toBeCloseTo(0.674 * 61, 9);
    expect(cost.decodeAttentionMs(1, 10)).toBeCloseTo(0.127 * 61, 9);
    expect(cost.decodeAttentionMs(0, 5000)).toBe(0);
  });

  it('iteration = fixed (+ host overhead without overlap) + attention + MoE + all-to-all + dense', () => {
    const shape = { maxAttentionMs: 0, globalTokens: 1024, maxRankTokens: 512 };
    // MoE 0.194 @1024 global tokens, all-to-all 0.175 @512 tokens on the busiest rank, dense 0.0025 ms/token
    const gpu = 58 * (0.194 + 0.175) * p.moeScale + 0.0025 * 512;
    expect(workerCost({ backend: 'TRTLLM', overlap: false }).iterationMs(shape, false)).toBeCloseTo(p.iterationFixedMs + p.hostOverheadMs + gpu, 9);
    expect(workerCost({ backend: 'TRTLLM', overlap: true }).iterationMs(shape, false)).toBeCloseTo(p.iterationFixedMs + gpu, 9);
    expect(workerCost({ backend: 'TRTLLM', overlap: true }).iterationMs({ ...shape, maxAttentionMs: 3.25 }, false)).toBeCloseTo(p.iterationFixedMs + gpu + 3.25, 9);
    // a CUDA-graph replay scales the GPU part only
    expect(workerCost({ backend: 'TRTLLM', overlap: true }).iterationMs({ ...shape, maxAttentionMs: 3.25 }, true)).toBeCloseTo(p.iterationFixedMs + (gpu + 3.25) * p.cudaGraphScale, 9);
    // WIDEEP, 8 tokens everywhere: MoE 0.142, all-to-all 0.044
    expect(workerCost({ backend: 'WIDEEP', overlap: true }).iterationMs({ maxAttentionMs: 0, globalTokens: 8, maxRankTokens: 8 }, false)).toBeCloseTo(
      p.iterationFixedMs + 58 * (0.142 + 0.044) * p.moeScale + 0.0025 * 8,
      9,
    );
    // MoE extrapolates linearly past 16384 global tokens
    const moe20000 = 1.114 + ((1.114 - 0.538) / 8192) * (20000 - 16384);
    expect(workerCost({ backend: 'TRTLLM', overlap: true }).iterationMs({ maxAttentionMs: 0, globalTokens: 20000, maxRankTokens: 2048 }, false)).toBeCloseTo(
      p.iterationFixedMs + 58 * (moe20000 + 0.578) * p.moeScale + 0.0025 * 2048,
      9,
    );
    expect(() => workerCost({ backend: 'NOPE' })).toThrow(/workers.agg.engine.moe_config.backend: cost model gb200-dsv32-nvfp4-trtllm has no data for MoE backend 'NOPE'; supported: TRTLLM, WIDEEP/);
    expect(cost.moeBackends().sort()).toEqual(['TRTLLM', 'WIDEEP']);
  });

  it('KV transfer and capacity', () => {
    const w = workerCost();
    expect(w.kvBytesPerToken).toBe(35136 + 8052);
    expect(KV_BYTES_PER_TOKEN).toBe(35136 + 8052);
    expect(w.kvTransferMs(1000)).toBeCloseTo(cost.spec.kvTransfer.fixedMs + (1000 * 43188) / (p.kvTransferGBps * 1e9) * 1000, 9);
    expect(w.kvTransferMs(2000) - w.kvTransferMs(1000)).toBeCloseTo(w.kvTransferMs(1000) - cost.spec.kvTransfer.fixedMs, 9);
    // (186e9 - 70e9 - 8e9) * fraction / (43188 B * 64 tokens)
    expect(cost.kvCapacityBlocks(0.9, 43188, 64)).toBe(35166);
    expect(w.kvCapacityBlocksPerRank).toBe(35166);
    expect(cost.kvCapacityBlocks(0.9, 43188, 32)).toBe(70332);
    expect(cost.kvCapacityBlocks(0.001, 43188, 64)).toBe(39);
  });

  it('platform slowdowns: a number, a calibration parameter for some roles, or 1', () => {
    expect(cost.platformSlowdown('aws-gb200-k8s', 'agg')).toBe(p.k8sIterationSlowdown);
    expect(cost.platformSlowdown('aws-gb200-k8s', 'prefill')).toBe(1);
    expect(cost.platformSlowdown('nvl36-gb200-slurm', 'agg')).toBe(1);
    expect(() => cost.platformSlowdown('aws-gb200-k8', 'agg')).toThrow(/platform.name: unknown platform 'aws-gb200-k8' \(did you mean 'aws-gb200-k8s'\?\)/);
  });
});

describe('loadCostModel', () => {
  it('applies calibration overrides', () => {
    const c = loadCostModel(MODEL, { prefillAttentionScale: 2 * prefillScale, moeScale: 0.5, iterationFixedMs: 7, hostOverheadMs: 3, kvTransferGBps: 2 * p.kvTransferGBps });
    expect(c.prefillAttentionMs(0, 4096)).toBeCloseTo(2 * cost.prefillAttentionMs(0, 4096), 9);
    expect(c.decodeAttentionMs(4, 3000)).toBeCloseTo(cost.decodeAttentionMs(4, 3000), 9);
    const shape = { maxAttentionMs: 0, globalTokens: 1024, maxRankTokens: 512 };
    expect(workerCost({ model: c }).iterationMs(shape, false)).toBeCloseTo(7 + 3 + 0.5 * 58 * (0.194 + 0.175) + 1.28, 9);
    const f = cost.spec.kvTransfer.fixedMs;
    expect(workerCost({ model: c }).kvTransferMs(1000) - f).toBeCloseTo((workerCost().kvTransferMs(1000) - f) / 2, 9);
    expect(c.platformSlowdown('aws-gb200-k8s', 'agg')).toBe(p.k8sIterationSlowdown);
    // the shared default is untouched
    expect(loadCostModel(MODEL).params).toEqual(p);
  });

  it('reports an unknown model or calibration parameter as an input error', () => {
    expect(() => loadCostModel('no-such-model')).toThrow(InputError);
    expect(() => loadCostModel('no-such-model')).toThrow(/^model: unknown cost model 'no-such-model'; known: gb200-dsv32-nvfp4-trtllm/);
    expect(() => loadCostModel(MODEL, { nope: 1 } as never)).toThrow(/calibration\.parameters\.nope: unknown calibration parameter/);
  });
});

describe('interpolation helpers', () => {
  it('Linear1D interpolates, extrapolates and integrates exactly', () => {
    const f = new Linear1D([0, 10, 20], [1, 3, 2]);
    expect(f.at(5)).toBe(2);
    expect(f.at(15)).toBe(2.5);
    expect(f.at(30)).toBe(1); // last slope -0.1 continued
    expect(f.at(-5)).toBe(1); // held below the first key
    expect(f.integralTo(10)).toBeCloseTo(20, 12);
    expect(f.integralTo(20)).toBeCloseTo(45, 12);
    expect(f.integralTo(15)).toBeCloseTo(20 + (5 * (3 + 2.5)) / 2, 12);
    const g = new Linear1D([4, 8], [2, 2]);
    expect(g.integralTo(2)).toBe(4); // constant below the first key
    expect(() => new Linear1D([1, 1], [0, 0])).toThrow(/increase/);
    expect(() => new Linear1D([1], [0])).toThrow();
  });

  it('Bilinear2D interpolates inside and clamps outside', () => {
    const b = new Bilinear2D([0, 10], [0, 1], [
      [0, 1],
      [10, 11],
    ]);
    expect(b.at(5, 0.5)).toBe(5.5);
    expect(b.at(-1, -1)).toBe(0);
    expect(b.at(99, 99)).toBe(11);
    expect(() => new Bilinear2D([0, 1], [0, 1], [[0, 1]])).toThrow(/shape/);
  });
});

describe('decode attention as a line in context (used for runs of decode steps)', () => {
  it('matches the bilinear table exactly up to the next row key, and past the table ends', () => {
    for (const [b, ctx] of [[1, 500], [3, 1500], [8, 40000], [5, 131072], [2, 200000], [64, 4095]] as const) {
      const line = cost.decodeAttentionLine(b, ctx);
      for (const d of [0, 1, 7, 300]) {
        if (ctx + d >= line.untilContextTokens) continue;
        expect(line.valueMs + line.slopeMs * d).toBeCloseTo(cost.decodeAttentionMs(b, ctx + d), 9);
      }
      expect(line.untilContextTokens).toBeGreaterThan(ctx);
    }
  });
});
