// Pins `servesim cost` against the AIC tables in the model file: for DEP4/8/16/32 and TEP4/8 at
// several (batch, length) shapes, each op equals the table lookup it names (interpolated between rows,
// read here straight from the JSON), and the components add up with the calibrated scales.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costReport, type IterationCost } from '../src/app/cost-report.ts';
import { SCENARIOS_DIR } from '../src/app/reported.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { cost } from './helpers.ts';
import { bilinear, lin, modelJson, prompt, type Curve } from './table-lookup.ts';

const M = modelJson('gb200-dsv32-nvfp4-trtllm');
const p = cost.params;
const LAYERS = 61;
const MOE_LAYERS = 58;
const H = 7168;

const PARALLELISMS = ['DEP4', 'DEP8', 'DEP16', 'DEP32', 'TEP4', 'TEP8'] as const;
const SHAPES = [
  { requestsPerRank: 1, contextTokens: 4096, chunkTokens: 512 },
  { requestsPerRank: 8, contextTokens: 30000, chunkTokens: 1024 },
  { requestsPerRank: 2, contextTokens: 16384, chunkTokens: 2048 },
  { requestsPerRank: 4, contextTokens: 0, chunkTokens: 2048 },
  // a decode batch of 3 replays the padded graph of 4 (enable_padding: captured 1, 2, 4, 8)
  { requestsPerRank: 3, contextTokens: 2048, chunkTokens: 512 },
];
/** The captured graph a decode step of `r` per rank replays under the seed's decode engine (padding on). */
const padded = (r: number) => [1, 2, 4, 8].find((s) => s >= r)!;

function report(par: string, shape: (typeof SHAPES)[number]) {
  const n = Number(par.slice(3));
  const sets = ['prefill', 'decode'].flatMap((r) => [`workers.${r}.engine.tensor_parallel_size=${n}`, `workers.${r}.engine.moe_expert_parallel_size=${n}`, `workers.${r}.engine.enable_attention_dp=${par.startsWith('DEP')}`]);
  return costReport(loadScenario(join(SCENARIOS_DIR, 'disagg-kv.yaml'), sets), shape);
}

function check(par: string, it: IterationCost, ranks: number, shape: (typeof SHAPES)[number]) {
  const n = Number(par.slice(3));
  const dep = par.startsWith('DEP');
  const heads = dep ? 128 : 128 / n;
  const graph = it.cudaGraph;
  const part = (op: string) => it.parts.filter((x) => x.op.startsWith(op));
  const ctx = shape.contextTokens;
  const r = shape.requestsPerRank;
  for (const x of it.parts) expect(x.tableMs).toBeCloseTo(x.perCallMs * x.calls, 9);
  // attention: the generation grid at (KV length, batch), or the prompt-module difference over the chunk
  if (it.kind === 'decode') {
    const [a] = part('decode attention');
    expect(a.perCallMs).toBeCloseTo(bilinear(M.attention.generation.byHeads[heads], ctx, r), 9);
    expect(a.calls).toBe(LAYERS);
  } else {
    const [a] = part('prefill attention');
    const c = M.attention.context.byHeads[heads];
    expect(a.perCallMs).toBeCloseTo(prompt(c, ctx + shape.chunkTokens) - prompt(c, ctx), 9);
    expect(a.calls).toBe(LAYERS * r);
  }
  // MoE at every rank's tokens together (TRTLLM: min-latency rows up to 128 tokens)
  const rankTokens = it.kind === 'decode' ? (graph ? padded(r) : r) : r * shape.chunkTokens;
  if (it.kind === 'decode') expect(it.description.includes('padded')).toBe(graph && padded(r) !== r);
  const tokens = rankTokens * ranks;
  expect(it.shape.globalTokens).toBe(tokens);
  const [moe] = part('routed experts');
  const kernel = tokens <= 128 ? 'min_latency' : 'cutlass';
  const curve: Curve = M.moe.kernels[kernel].byDistribution['power_law_1.01'][n];
  if (tokens <= curve.x[curve.x.length - 1]) expect(moe.perCallMs).toBeCloseTo(lin(curve, tokens), 9);
  else expect(moe.perCallMs).toBeGreaterThan(lin(curve, curve.x[curve.x.length - 1]));
  expect(moe.calls).toBe(MOE_LAYERS);
  // communication: all-to-all at the rank's tokens (DEP), or two custom all-reduces a layer (TEP)
  const comm = it.parts.filter((x) => x.component === 'comm');
  if (dep) {
    const method = it.kind === 'decode' ? 'NVLinkTwoSided' : 'NVLinkOneSided';
    const ops = it.kind === 'decode' ? ['prepare', 'dispatch', 'combineLowPrecision'] : ['dispatch', 'combine'];
    expect(comm.map((x) => x.op)).toEqual(ops);
    for (const x of comm) {
      expect(x.perCallMs).toBeCloseTo(lin(M.comm.allToAll[method][x.op][n], rankTokens), 9);
      expect(x.calls).toBe(MOE_LAYERS);
    }
  } else {
    const scale = n <= 4 ? 1 : (((n - 1) / n) * 4) / 3;
    expect(comm).toHaveLength(2);
    for (const x of comm) {
      expect(x.perCallMs).toBeCloseTo(lin(M.comm.customAllReduce.byGpus[Math.min(n, 4)], tokens * H) * scale, 9);
      expect(x.calls).toBe(LAYERS);
    }
  }
  // dense/other: shared-expert GEMMs on the grid at the rank's tokens (TRT-LLM MLP TP: 1 under DEP, 4 within a node)
  const mlpTp = dep ? 1 : 4;
  const gemm = (dtype: string, shape2: string, m: number) => lin(M.gemm.byDtype[dtype][shape2], m);
  expect(part('shared expert gate_up')[0].perCallMs).toBeCloseTo(gemm('nvfp4', `${4096 / mlpTp}x${H}`, rankTokens), 9);
  expect(part('shared expert down')[0].perCallMs).toBeCloseTo(gemm('nvfp4', `${H}x${2048 / mlpTp}`, rankTokens), 9);
  expect(part('router')[0].perCallMs).toBeCloseTo(gemm('bfloat16', `256x${H}`, rankTokens), 9);
  // dense FFN gate_up (36864 / tp, 7168): between its n neighbours on the grid
  const upN = 36864 / mlpTp;
  const [lo, hi] = upN > 16384 ? [16384, 51200] : [4096, 12288];
  const up = gemm('nvfp4', `${lo}x${H}`, rankTokens) + (gemm('nvfp4', `${hi}x${H}`, rankTokens) - gemm('nvfp4', `${lo}x${H}`, rankTokens)) * ((upN - lo) / (hi - lo));
  expect(part('dense FFN gate_up')[0].perCallMs).toBeCloseTo(up, 9);
  // components: table time x the scales of an eager or CUDA-graph iteration
  const sum = (c: string) => it.parts.filter((x) => x.component === c).reduce((s, x) => s + x.tableMs, 0);
  const attnScale = graph ? p.cudaGraphScale : p.attentionScale;
  const moeScale = graph ? p.cudaGraphScale : p.moeScale;
  expect(it.attentionMs).toBeCloseTo(sum('attention') * attnScale, 6);
  expect(it.moeMs).toBeCloseTo(sum('moe') * moeScale, 6);
  expect(it.commMs).toBeCloseTo(sum('comm') * moeScale, 6);
  const shared = it.parts.filter((x) => x.op.startsWith('shared expert')).reduce((s, x) => s + x.tableMs, 0);
  const router = part('router')[0].tableMs;
  const exposed = graph ? Math.max(0, shared - (sum('moe') + sum('comm') + router)) : shared;
  expect(it.denseMs).toBeCloseTo((sum('dense') - shared + exposed) * (graph ? p.cudaGraphScale : 1), 6);
  expect(it.hostMs).toBeCloseTo(p.iterationFixedMs + (it.kind === 'decode' ? 0 : p.hostOverheadMs), 9);
  expect(it.totalMs).toBeCloseTo(it.attentionMs + it.moeMs + it.commMs + it.denseMs + it.hostMs, 9);
}

describe('servesim cost equals the table lookups it names', () => {
  for (const par of PARALLELISMS) {
    it(`${par}: decode and prefill iterations at ${SHAPES.length} shapes`, () => {
      for (const shape of SHAPES) {
        const rep = report(par, shape);
        for (const role of rep.roles) {
          expect(role.parallelism).toBe(par);
          for (const it of role.iterations) check(par, it, role.ranks, shape);
        }
      }
    });
  }
});

describe('parallelism moves cost the way the tables say', () => {
  it('doubling EP at fixed global tokens lowers the per-GPU MoE time as the moe_perf EP axis does', () => {
    for (const tokens of [64, 256, 1024, 8192, 16384]) {
      let prev: { ms: number; table: number } | null = null;
      for (const ep of [4, 8, 16, 32]) {
        const rep = report(`DEP${ep}`, { requestsPerRank: 1, contextTokens: 1024, chunkTokens: tokens / ep });
        const moe = rep.roles[0].iterations[0].parts.find((x) => x.op === 'routed experts')!;
        const table = lin(M.moe.kernels[tokens <= 128 ? 'min_latency' : 'cutlass'].byDistribution['power_law_1.01'][ep], tokens);
        expect(moe.perCallMs).toBeCloseTo(table, 9);
        // the direction is the table's (power-law rows are not monotone in EP everywhere: EP32 at 1-4k tokens)
        if (prev) expect(moe.perCallMs < prev.ms).toBe(table < prev.table);
        if (prev && tokens === 8192) expect(moe.perCallMs).toBeLessThan(prev.ms); // monotone in EP at 8k tokens
        prev = { ms: moe.perCallMs, table };
      }
    }
  });

  it('KV capacity per rank grows as the weights per GPU shrink with EP', () => {
    let weights = Infinity;
    let kv = 0;
    for (const ep of [4, 8, 16, 32]) {
      const role = report(`DEP${ep}`, SHAPES[0]).roles[1];
      expect(role.weightsBytesPerGpu).toBeLessThan(weights);
      expect(role.kvCapacityTokensPerRank).toBeGreaterThan(kv);
      // routed experts: 256 / EP per GPU on each of the 58 MoE layers; the rest does not shrink with EP under DEP
      if (weights !== Infinity) expect(weights - role.weightsBytesPerGpu).toBeCloseTo((256 / ep) * MOE_LAYERS * M.weights.routedExpertBytes, -3);
      weights = role.weightsBytesPerGpu;
      kv = role.kvCapacityTokensPerRank;
    }
  });
});
