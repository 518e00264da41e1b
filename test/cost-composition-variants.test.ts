// Pins `servesim cost` beyond cost-composition.test.ts (V3.2, TRTLLM, all-to-all): DeepSeek-R1's dense MLA
// attention at DEP8 / TEP8, the CUTLASS and WIDEEP (EPLB) MoE rows at DEP8/16/32, the ALLGATHER and
// low-precision-combine communication, and a model whose moe.distribution is balanced, each op against the
// table row it names, read straight from the model JSON (and shown to differ from a wrong row somewhere).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { costReport, type BatchShape, type IterationCost, type RoleCost } from '../src/app/cost-report.ts';
import { SCENARIOS_DIR } from '../src/app/reported.ts';
import type { Role } from '../src/protocol/roles.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { cost } from './helpers.ts';
import { bilinear, lin, modelJson, prompt, type Curve } from './table-lookup.ts';

const V32 = modelJson('gb200-dsv32-nvfp4-trtllm');
const R1 = modelJson('gb200-dsr1-nvfp4-trtllm');
const p = cost.params;
const LAYERS = 61;
const MOE_LAYERS = 58;
const H = 7168;
const DIST = 'power_law_1.01';
const DISAGG = join(SCENARIOS_DIR, 'disagg-kv.yaml');
const R1_TEP = join(SCENARIOS_DIR, 'r1-1p-dep4-4d-tep8.yaml');
/** The 8k/1k scenario's max_seq_len (9,256) raised to the tables' last rows. */
const R1_LONG = ['prefill', 'decode'].map((r) => `workers.${r}.engine.max_seq_len=131072`);

/**
 * Every pinned value equals its table lookup; `wrong` are the lookups a wrong row or key would give, and
 * each must differ from the right one at some shape (checked by `done`), so the assertion can fail.
 */
class Pins {
  private readonly told = new Map<string, boolean>();
  eq(what: string, actual: number, expected: number, wrong: Record<string, number> = {}): void {
    expect(actual, what).toBeCloseTo(expected, 9);
    for (const [k, w] of Object.entries(wrong)) {
      const key = `${what} vs ${k}`;
      this.told.set(key, (this.told.get(key) ?? false) || Math.abs(w - expected) > 1e-6 * Math.max(1, expected));
    }
  }
  done(): void {
    expect(this.told.size).toBeGreaterThan(0);
    for (const [key, told] of this.told) expect(told, `${key}: the same number at every shape`).toBe(true);
  }
}

/** --set overrides making both roles (or `roles`) DEP-n or TEP-n. */
function par(label: string, roles: Role[] = ['prefill', 'decode']): string[] {
  const n = Number(label.slice(3));
  return roles.flatMap((r) => [`workers.${r}.engine.tensor_parallel_size=${n}`, `workers.${r}.engine.moe_expert_parallel_size=${n}`, `workers.${r}.engine.enable_attention_dp=${label.startsWith('DEP')}`]);
}
const both = (key: string, value: string | number | boolean) => (['prefill', 'decode'] as const).map((r) => `workers.${r}.${key}=${value}`);

function role(file: string, sets: string[], shape: BatchShape, r: Role): RoleCost {
  return costReport(loadScenario(file, sets), shape, undefined, [r]).roles[0];
}

/** The iteration of role `r` and the tokens on a rank / of all ranks it must carry (decode: the captured graph at or above the batch). */
function iteration(rc: RoleCost, shape: Required<BatchShape>, graphs: number[]): { it: IterationCost; t: number; T: number } {
  const it = rc.iterations[0];
  const t = it.kind === 'decode' ? graphs.find((g) => g >= shape.requestsPerRank)! : shape.requestsPerRank * shape.chunkTokens;
  expect(it.shape.maxRankTokens).toBe(t);
  expect(it.shape.globalTokens).toBe(t * rc.ranks);
  return { it, t, T: t * rc.ranks };
}
const part = (it: IterationCost, op: string) => it.parts.find((x) => x.op.startsWith(op))!;
const comm = (it: IterationCost) => it.parts.filter((x) => x.component === 'comm');
const sum = (it: IterationCost, c: string) => it.parts.filter((x) => x.component === c).reduce((s, x) => s + x.tableMs, 0);
const moeScale = (it: IterationCost) => (it.cudaGraph ? p.cudaGraphScale : p.moeScale);
/** The disagg-kv decode engine's captured graphs (max_batch_size 8, padding); a prefill shape never reads them. */
const DISAGG_GRAPHS = [1, 2, 4, 8];

/** Decode (requests, KV length) and prefill (requests, context, chunk) shapes; the DEP32 prefill stays within the 16,384-token MoE rows. */
const SHAPES: Array<Required<BatchShape> & { role: Role }> = [
  { role: 'decode', requestsPerRank: 1, contextTokens: 4096, chunkTokens: 1 },
  { role: 'decode', requestsPerRank: 3, contextTokens: 30000, chunkTokens: 1 },
  { role: 'decode', requestsPerRank: 8, contextTokens: 2048, chunkTokens: 1 },
  { role: 'prefill', requestsPerRank: 1, contextTokens: 8192, chunkTokens: 64 },
  { role: 'prefill', requestsPerRank: 2, contextTokens: 0, chunkTokens: 256 },
];

describe('DeepSeek-R1: dense MLA attention from its mla_*_module tables', () => {
  const graphs = [1, 2, 3, 4, 6, 8, 9, 10, 11, 14, 15, 16]; // the scenario's decode cuda_graph_config.batch_sizes (padding on)
  const decode = [
    [1, 4096],
    [5, 30000],
    [16, 100000],
    [3, 777],
  ];
  const prefill = [
    [1, 0, 4096],
    [2, 8192, 2048],
    [1, 20000, 8000],
    [2, 100, 1000],
  ];
  for (const label of ['DEP8', 'TEP8']) {
    it(`${label}: decode on the generation grid, prefill as whole-prompt differences, at 128 / 16 heads' rows`, () => {
      const pins = new Pins();
      const heads = label === 'DEP8' ? 128 : 16;
      const other = label === 'DEP8' ? 16 : 128;
      for (const [r, ctx] of decode) {
        const shape = { requestsPerRank: r, contextTokens: ctx, chunkTokens: 1 };
        const rc = role(R1_TEP, [...par(label), ...R1_LONG], shape, 'decode');
        expect(rc.parallelism).toBe(label);
        const { it } = iteration(rc, shape, graphs);
        const a = part(it, 'decode attention');
        expect(a.table).toBe(`mla_generation_module bfloat16 ${heads} heads`);
        expect(a.calls).toBe(LAYERS);
        const g = (m: typeof R1, h: number) => bilinear(m.attention.generation.byHeads[h], ctx, r);
        pins.eq('decode attention', a.perCallMs, g(R1, heads), { 'other heads': g(R1, other), 'V3.2 DSA grid': g(V32, heads), 'padded batch': bilinear(R1.attention.generation.byHeads[heads], ctx, it.shape.maxRankTokens) });
        expect(it.description.includes('padded')).toBe(it.shape.maxRankTokens !== r);
        expect(it.attentionMs).toBeCloseTo(a.tableMs * (it.cudaGraph ? p.cudaGraphScale : p.attentionScale), 6);
      }
      for (const [r, ctx, chunk] of prefill) {
        const rc = role(R1_TEP, [...par(label), ...R1_LONG], { requestsPerRank: r, contextTokens: ctx, chunkTokens: chunk }, 'prefill');
        const a = part(rc.iterations[0], 'prefill attention');
        expect(a.table).toBe(`mla_context_module bfloat16 ${heads} heads batch 1`);
        expect(a.calls).toBe(LAYERS * r);
        const d = (m: typeof R1, h: number) => prompt(m.attention.context.byHeads[h], ctx + chunk) - prompt(m.attention.context.byHeads[h], ctx);
        pins.eq('prefill attention', a.perCallMs, d(R1, heads), { 'other heads': d(R1, other), 'V3.2 DSA rows': d(V32, heads), 'whole prompt': prompt(R1.attention.context.byHeads[heads], ctx + chunk) });
        expect(rc.iterations[0].attentionMs).toBeCloseTo(a.tableMs * p.attentionScale, 6);
      }
      pins.done();
    });
  }
});

describe('MoE backends: CUTLASS and WIDEEP rows at DEP8/16/32', () => {
  const ml = V32.moe.kernels;
  const wide = V32.moe.wideep;
  it('CUTLASS reads the moe_torch_flow_cutlass rows at every token count (no min-latency rows at <= 128 tokens)', () => {
    const pins = new Pins();
    for (const n of [8, 16, 32]) {
      for (const shape of SHAPES) {
        const { it, T } = iteration(role(DISAGG, [...par(`DEP${n}`), ...both('engine.moe_config.backend', 'CUTLASS')], shape, shape.role), shape, DISAGG_GRAPHS);
        const moe = part(it, 'routed experts');
        expect(moe.table).toBe(`moe_perf moe_torch_flow_cutlass nvfp4 ${DIST} EP${n}`);
        expect(moe.calls).toBe(MOE_LAYERS);
        const row = (k: string, ep = n) => lin(ml[k].byDistribution[DIST][ep], T);
        pins.eq('CUTLASS routed experts', moe.perCallMs, row('cutlass'), { 'min-latency row': row('min_latency'), 'another EP': row('cutlass', n === 32 ? 16 : n * 2) });
        expect(it.moeMs).toBeCloseTo(sum(it, 'moe') * moeScale(it), 6);
      }
    }
    pins.done();
  });

  it('WIDEEP reads wideep_moe (no load balancer) at all ranks\' tokens, and the two-sided all-to-all unless forced', () => {
    const pins = new Pins();
    for (const n of [8, 16, 32]) {
      for (const shape of SHAPES) {
        const rc = role(DISAGG, [...par(`DEP${n}`), ...both('engine.moe_config.backend', 'WIDEEP')], shape, shape.role);
        expect(rc.moeBackend).toBe(`WIDEEP, ${DIST}`);
        const { it, t, T } = iteration(rc, shape, DISAGG_GRAPHS);
        const moe = part(it, 'routed experts');
        expect(moe.table).toBe(`wideep_moe ${DIST} EP${n}`);
        pins.eq('WIDEEP routed experts', moe.perCallMs, lin(wide.noLoadBalancer[DIST][n], T), { 'cutlass row': lin(ml.cutlass.byDistribution[DIST][n], T), 'EPLB 256 row': lin(wide.bySlots['256'][`${DIST}_eplb`][n], T), 'rank tokens': lin(wide.noLoadBalancer[DIST][n], t) });
        // prefill has no TRTLLM_FORCE_COMM_METHOD: WIDEEP's own two-sided all-to-all (TRTLLM's default is one-sided)
        const ops = shape.role === 'decode' ? ['prepare', 'dispatch', 'combineLowPrecision'] : ['prepare', 'dispatch', 'combine'];
        expect(comm(it).map((x) => x.op)).toEqual(ops);
        for (const x of comm(it)) {
          const one = V32.comm.allToAll.NVLinkOneSided[x.op];
          pins.eq(`WIDEEP ${x.op}`, x.perCallMs, lin(V32.comm.allToAll.NVLinkTwoSided[x.op][n], t), one ? { 'one-sided row': lin(one[n], t) } : {});
        }
        expect(rc.notes.some((x) => x.includes('WIDEEP is deprecated'))).toBe(true);
      }
    }
    pins.done();
  });

  it('WIDEEP with moe_config.load_balancer.num_slots reads the wideep_moe_eplb rows of those slots; weights follow num_slots / EP', () => {
    const pins = new Pins();
    for (const n of [8, 16, 32]) {
      const weights: Record<string, number> = {};
      for (const slots of ['256', '288']) {
        for (const shape of SHAPES) {
          const sets = [...par(`DEP${n}`), ...both('engine.moe_config.backend', 'WIDEEP'), ...both('engine.moe_config.load_balancer.num_slots', slots)];
          const rc = role(DISAGG, sets, shape, shape.role);
          expect(rc.moeBackend).toBe(`WIDEEP (EPLB, ${slots} slots), ${DIST}`);
          const { it, T } = iteration(rc, shape, DISAGG_GRAPHS);
          const moe = part(it, 'routed experts');
          expect(moe.table).toBe(`wideep_moe ${DIST} num_slots ${slots} EPLB EP${n}`);
          const eplb = (s: string) => lin(wide.bySlots[s][`${DIST}_eplb`][n], T);
          pins.eq('EPLB routed experts', moe.perCallMs, eplb(slots), { 'no load balancer': lin(wide.noLoadBalancer[DIST][n], T), 'other slots': eplb(slots === '256' ? '288' : '256'), 'power_law_1.2 row': lin(wide.bySlots[slots]['power_law_1.2_eplb'][n], T) });
          weights[slots] = rc.weightsBytesPerGpu;
        }
      }
      // 32 redundant slots spread over the EP group: 32 / EP more routed experts per GPU on each MoE layer
      expect(weights['288'] - weights['256']).toBeCloseTo((32 / n) * MOE_LAYERS * V32.weights.routedExpertBytes, -3);
    }
    pins.done();
    const shape = SHAPES[0];
    const wideep = [...par('DEP8'), ...both('engine.moe_config.backend', 'WIDEEP')];
    expect(() => role(DISAGG, [...wideep, ...both('engine.moe_config.load_balancer.num_slots', 300)], shape, 'decode')).toThrow(/num_slots 256, 288/);
    expect(() => role(DISAGG, [...par('DEP8'), ...both('engine.moe_config.load_balancer.num_slots', 288)], shape, 'decode')).toThrow(/EPLB rows exist only for moe_config.backend WIDEEP/);
  });
});

describe('communication besides the default all-to-all', () => {
  const ncclScale = (n: number) => (n <= 4 ? 1 : (((n - 1) / n) * 4) / 3);
  it('TRTLLM_FORCE_COMM_METHOD=ALLGATHER: NCCL all-gather of the nvfp4 payload and reduce-scatter of hidden over all ranks\' tokens', () => {
    const pins = new Pins();
    const nccl = V32.comm.nccl;
    for (const n of [4, 8, 16, 32]) {
      for (const shape of SHAPES) {
        const rc = role(DISAGG, [...par(`DEP${n}`), ...both('env.TRTLLM_FORCE_COMM_METHOD', 'ALLGATHER')], shape, shape.role);
        expect(rc.communication).toBe('NCCL all-gather / reduce-scatter');
        const { it, t, T } = iteration(rc, shape, DISAGG_GRAPHS);
        expect(comm(it).map((x) => x.op)).toEqual(['all_gather', 'reduce_scatter']);
        const g = Math.min(n, 4);
        const at = (op: string, size: number, gpus = g) => lin(nccl[op].byGpus[gpus], size) * ncclScale(n);
        const [ag, rs] = comm(it);
        pins.eq('all_gather', ag.perCallMs, at('all_gather', T * H * 0.28125), { 'rank tokens': at('all_gather', t * H * 0.28125), 'bf16 payload': at('all_gather', T * H), 'reduce_scatter row': at('reduce_scatter', T * H * 0.28125) });
        pins.eq('reduce_scatter', rs.perCallMs, at('reduce_scatter', T * H), { 'rank tokens': at('reduce_scatter', t * H), '2-GPU row': at('reduce_scatter', T * H, 2) });
        for (const x of [ag, rs]) expect(x.calls).toBe(MOE_LAYERS);
        expect(it.commMs).toBeCloseTo(sum(it, 'comm') * moeScale(it), 6);
        // the decode engine's use_low_precision_moe_combine has nothing to quantize here
        expect(rc.notes.some((x) => x.includes('use_low_precision_moe_combine has no effect with ALLGATHER'))).toBe(rc.role === 'decode');
        expect(rc.notes.some((x) => x.includes('scaled from the 4-GPU rows'))).toBe(n > 4);
      }
    }
    pins.done();
  });

  it('use_low_precision_moe_combine reads combine_low_precision on the two-sided all-to-all only', () => {
    const pins = new Pins();
    const a2a = V32.comm.allToAll;
    const lp = (v: boolean) => both('engine.moe_config.use_low_precision_moe_combine', v);
    const twoSided = 'workers.prefill.env.TRTLLM_FORCE_COMM_METHOD=NVLINK_TWO_SIDED'; // the scenario's decode env already forces it
    const cases = [
      { sets: [...lp(false), twoSided], method: 'NVLinkTwoSided', combine: 'combine', note: false },
      { sets: [...lp(true), twoSided], method: 'NVLinkTwoSided', combine: 'combineLowPrecision', note: false },
      { sets: [...lp(true), ...both('env.TRTLLM_FORCE_COMM_METHOD', 'NVLINK_ONE_SIDED')], method: 'NVLinkOneSided', combine: 'combine', note: true },
    ];
    for (const c of cases) {
      for (const n of [8, 16, 32]) {
        for (const shape of SHAPES) {
          const rc = role(DISAGG, [...par(`DEP${n}`), ...c.sets], shape, shape.role);
          const { it, t } = iteration(rc, shape, DISAGG_GRAPHS);
          const ops = [...(c.method === 'NVLinkTwoSided' ? ['prepare'] : []), 'dispatch', c.combine];
          expect(comm(it).map((x) => x.op)).toEqual(ops);
          expect(rc.communication).toBe(`${c.method} all-to-all${c.combine === 'combineLowPrecision' ? ', low-precision combine' : ''}`);
          for (const x of comm(it)) {
            const row = (method: string, op: string) => lin(a2a[method][op][n], t);
            const wrong: Record<string, number> = x.op.startsWith('combine') && c.method === 'NVLinkTwoSided' ? { 'the other combine': row(c.method, x.op === 'combine' ? 'combineLowPrecision' : 'combine') } : x.op === 'prepare' ? {} : { 'the other method': row(c.method === 'NVLinkTwoSided' ? 'NVLinkOneSided' : 'NVLinkTwoSided', x.op) };
            pins.eq(`${c.method} ${x.op}`, x.perCallMs, row(c.method, x.op), wrong);
            expect(x.table).toBe(`trtllm_alltoall ${c.method} ${x.op} EP${n}`);
          }
          expect(rc.notes.some((x) => x.includes('no NVLinkOneSided low-precision combine rows'))).toBe(c.note);
        }
      }
    }
    pins.done();
    expect(() => role(DISAGG, [...par('DEP8'), 'workers.decode.env.TRTLLM_FORCE_COMM_METHOD=DEEPEP'], SHAPES[0], 'decode')).toThrow(/no DeepEP table/);
  });
});

describe('a model file with moe.distribution balanced', () => {
  const dir = mkdtempSync(join(tmpdir(), 'servesim-balanced-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'gb200-dsv32-balanced.json');
  writeFileSync(file, JSON.stringify({ ...V32, moe: { ...V32.moe, distribution: 'balanced' } }));

  it('TRTLLM and CUTLASS read the balanced rows (min-latency up to 128 tokens for TRTLLM); WIDEEP has none', () => {
    const pins = new Pins();
    const kernels = V32.moe.kernels;
    for (const backend of ['TRTLLM', 'CUTLASS']) {
      for (const n of [8, 16, 32]) {
        for (const shape of SHAPES) {
          const rc = role(DISAGG, [`model=${file}`, ...par(`DEP${n}`), ...both('engine.moe_config.backend', backend)], shape, shape.role);
          expect(rc.moeBackend).toBe(`${backend}, balanced`);
          const { it, T } = iteration(rc, shape, DISAGG_GRAPHS);
          const kernel = backend === 'TRTLLM' && T <= 128 ? 'min_latency' : 'cutlass';
          const moe = part(it, 'routed experts');
          expect(moe.table).toBe(`moe_perf moe_torch_flow_${kernel} nvfp4 balanced EP${n}`);
          const row = (dist: string) => lin(kernels[kernel].byDistribution[dist][n] as Curve, T);
          pins.eq(`${backend} balanced routed experts`, moe.perCallMs, row('balanced'), { [DIST]: row(DIST), 'power_law_1.2': row('power_law_1.2') });
        }
      }
    }
    pins.done();
    expect(() => role(DISAGG, [`model=${file}`, ...par('DEP8'), ...both('engine.moe_config.backend', 'WIDEEP')], SHAPES[0], 'decode')).toThrow(/wideep_moe table has no balanced rows/);
  });
});
