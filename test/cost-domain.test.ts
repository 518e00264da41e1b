// The cost model's validity domain: settings outside the tables (EP 64, MoE TP, DSA below 8 heads per
// GPU, backends without rows, EPLB slots, a model without a file, weights that do not fit) stop with
// one line naming the scenario key and what is supported; extrapolations during a run are noted once.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costReport } from '../src/app/cost-report.ts';
import { SCENARIOS_DIR } from '../src/app/reported.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { aggScenario, makeTrace, runSim } from './helpers.ts';

const DISAGG = join(SCENARIOS_DIR, 'disagg-kv.yaml');
const decode = (kv: Record<string, string | number | boolean>) => Object.entries(kv).map(([k, v]) => `workers.decode.${k}=${v}`);
const fails = (sets: string[]) => {
  try {
    costReport(loadScenario(DISAGG, sets));
  } catch (e) {
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n');
    expect((e as Error).name).toBe('InputError');
    return msg;
  }
  throw new Error(`no error for ${sets.join(' ')}`);
};
const tp = (n: number, dp = true) => ({ 'engine.tensor_parallel_size': n, 'engine.moe_expert_parallel_size': n, 'engine.enable_attention_dp': dp });

describe('settings outside the data stop with one line naming the key', () => {
  it('expert parallelism beyond the tables (EP 64)', () => {
    expect(fails(decode(tp(64)))).toMatch(/^workers\.decode\.engine\.moe_expert_parallel_size: 64: the MoE and all-to-all tables of gb200-dsv32-nvfp4-trtllm cover expert parallelism 1, 2, 4, 8, 16, 32$/);
  });

  it('MoE tensor parallelism (EP below TP), which the tables do not have', () => {
    expect(fails(decode({ 'engine.tensor_parallel_size': 8, 'engine.moe_expert_parallel_size': 4 }))).toMatch(
      /^workers\.decode\.engine\.moe_expert_parallel_size: 4 with tensor_parallel_size 8 means MoE tensor parallelism 2, which the tables do not have \(moe_tp_size 1 only\); supported: /,
    );
  });

  it('DSA with fewer heads per GPU than the tables have (TEP32: 4 heads); dense MLA has them', () => {
    expect(fails(decode(tp(32, false)))).toMatch(/^workers\.decode\.engine\.tensor_parallel_size: 32 without attention DP leaves 4 attention heads per GPU; the DSA tables of gb200-dsv32-nvfp4-trtllm have 8-128 local heads \(tensor-parallel attention up to 16, or enable_attention_dp\)$/);
    const r1 = costReport(loadScenario(DISAGG, ['model=gb200-dsr1-nvfp4-trtllm', ...decode(tp(32, false))]));
    expect(r1.roles[1].parallelism).toBe('TEP32');
  });

  it('MoE backends without rows, and WIDEEP without attention DP', () => {
    expect(fails(decode({ 'engine.moe_config.backend': 'CUTEDSL' }))).toBe('workers.decode.engine.moe_config.backend: CUTEDSL: no MoE table in cost model gb200-dsv32-nvfp4-trtllm (AIConfigurator has no CuteDSL MoE rows); supported: TRTLLM, CUTLASS, WIDEEP');
    expect(fails(decode({ 'engine.moe_config.backend': 'WIDEEP', ...tp(8, false) }))).toMatch(/^workers\.decode\.engine\.moe_config\.backend: WIDEEP needs enable_attention_dp/);
  });

  it('EPLB slots only where the WIDEEP table has them', () => {
    expect(fails(decode({ 'engine.moe_config.load_balancer.num_slots': 288 }))).toMatch(/^workers\.decode\.engine\.moe_config\.load_balancer: EPLB rows exist only for moe_config\.backend WIDEEP/);
    expect(fails(decode({ 'engine.moe_config.backend': 'WIDEEP', 'engine.moe_config.load_balancer.num_slots': 300 }))).toBe('workers.decode.engine.moe_config.load_balancer.num_slots: 300: the wideep_moe_eplb table has num_slots 256, 288 at EP 8');
    const ok = costReport(loadScenario(DISAGG, decode({ 'engine.moe_config.backend': 'WIDEEP', 'engine.moe_config.load_balancer.num_slots': 288 })));
    const base = costReport(loadScenario(DISAGG, decode({ 'engine.moe_config.backend': 'WIDEEP' })));
    // 288 slots over 8 GPUs: 36 routed experts per GPU instead of 32
    expect(ok.roles[1].weightsBytesPerGpu).toBeGreaterThan(base.roles[1].weightsBytesPerGpu);
  });

  it('a communication method without a table, a model without a file, weights that do not fit', () => {
    expect(fails(['workers.decode.env.TRTLLM_FORCE_COMM_METHOD=DEEPEP'])).toMatch(/^workers\.decode\.env\.TRTLLM_FORCE_COMM_METHOD: DEEPEP: no DeepEP table/);
    expect(fails(['model=gb200-dsv4-nvfp4-trtllm'])).toMatch(/^model: unknown cost model 'gb200-dsv4-nvfp4-trtllm'.*; known: gb200-dsr1-nvfp4-trtllm, gb200-dsv32-nvfp4-trtllm$/);
    expect(fails(decode(tp(2)))).toMatch(/^workers\.decode\.engine\.moe_expert_parallel_size: DEP2: weights \d+\.\d GB .* per GPU exceed its 198\.7 GB; use more expert parallelism$/);
    // TEP2: weights + runtime alone over the HBM, so no max_num_tokens fits: the parallelism is named, however small the token budget
    expect(fails(decode({ ...tp(2, false), 'engine.max_num_tokens': 8 }))).toMatch(/^workers\.decode\.engine\.moe_expert_parallel_size: TEP2: weights 195\.9 GB \+ activations 0\.\d GB \+ runtime \d\.\d GB per GPU exceed its 198\.7 GB/);
    expect(fails(decode({ 'engine.kv_cache_config.dtype': 'nvfp4' }))).toMatch(/^workers\.decode\.engine\.kv_cache_config\.dtype: 'nvfp4'/);
  });
});

describe('extrapolation during a run is noted once in modelNotes, with the range', () => {
  it('a prompt past the DSA context table and MoE tokens past the MoE table', () => {
    const rows = Array.from({ length: 4 }, (_, i) => ({ t: i, isl: 40000, osl: 2 }));
    const s = runSim(aggScenario({ engine: { ranks: 4 } }), makeTrace(rows)).summary;
    const ctx = s.modelNotes.filter((n) => n.includes('dsa_context_module'));
    expect(ctx).toEqual(['agg: dsa_context_module nvfp4 128 heads: up to 40,000 prompt positions, beyond the table\'s last row (32,768): marginal cost per token extended along its last slope']);
    const moe = s.modelNotes.filter((n) => n.includes('moe_perf'));
    expect(moe).toEqual(["agg: moe_perf moe_torch_flow_cutlass nvfp4 power_law_1.01 EP4: up to 32,768 tokens per GPU, beyond the table's last row (16,384): the last row's utilization held against AIC's MoE roofline"]);
    expect(new Set(s.modelNotes).size).toBe(s.modelNotes.length);
  });

  it('nothing to note inside the tables', () => {
    const s = runSim(aggScenario(), makeTrace([{ t: 0, isl: 3000, osl: 5 }])).summary;
    expect(s.modelNotes).toEqual([]);
  });
});

describe('servesim cost --role: a batch shape for some roles only', () => {
  const R1 = join(SCENARIOS_DIR, 'r1-2p-dep4-1d-dep32.yaml');
  it('a full decode batch of a scenario whose prefill engine takes fewer sequences a rank', () => {
    // the prefill engine takes 2 prompts a rank: the shape is checked against the roles asked for only
    expect(() => costReport(loadScenario(R1), { requestsPerRank: 8 })).toThrow(/^--requests-per-rank: 8 exceeds workers\.prefill\.engine\.max_batch_size 2 \(--role decode costs the other workers alone\)$/);
    const r = costReport(loadScenario(R1), { requestsPerRank: 8, contextTokens: 8704 }, undefined, ['decode']);
    expect(r.roles.map((x) => x.role)).toEqual(['decode']);
    expect(r.roles[0].iterations[0].shape).toMatchObject({ globalTokens: 256, maxRankTokens: 8, maxRankSequences: 8 });
    expect(r.roles[0].iterations[0].cudaGraph).toBe(true);
    expect(() => costReport(loadScenario(R1), {}, undefined, ['agg'])).toThrow(/^--role: agg: scenario r1-2p-dep4-1d-dep32 has no agg workers$/);
  });
});
