// Every scenario key is modelled or refused: each key of src/scenario/schema.ts, set to a non-default
// value, changes the run's outputs (summary or per-request records) or stops it with a one-line input
// error. The key list is read from the schema, so a new key without a case here fails this test.
import { describe, expect, it } from 'vitest';
import { simulate } from '../src/app/run.ts';
import type { TraceRequest } from '../src/protocol/trace.ts';
import { validateScenario } from '../src/scenario/load.ts';
import { engineSchema, scenarioSchema, workerGroupSchema } from '../src/scenario/schema.ts';
import { InputError } from '../src/util/errors.ts';
import { engine, makeTrace, MODEL } from './helpers.ts';

type Obj = Record<string, unknown>;

/** Dotted paths of the leaves of a zod object schema. */
function keyPaths(schema: unknown, prefix = ''): string[] {
  let d = (schema as { _zod: { def: Obj } })._zod.def;
  while (['optional', 'default', 'nullable', 'prefault'].includes(d.type as string)) d = (d.innerType as { _zod: { def: Obj } })._zod.def;
  if (d.type !== 'object') return [prefix];
  return Object.entries(d.shape as Obj).flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k));
}

function setPath(o: Obj, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = o;
  for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Obj;
  node[keys[keys.length - 1]] = value;
}

/** Buffers smaller than the longest prompt: UCX sends it in rounds, NIXL cannot. */
const TRANSCEIVER = { backend: 'UCX', max_tokens_in_buffer: 5000 };

/** 1 agg worker of 4 ranks, or 1 prefill + 1 decode worker of 4 ranks each (the test engine). */
function raw(disagg: boolean): Obj {
  const workers = disagg
    ? { prefill: { count: 1, engine: engine({ cache_transceiver_config: TRANSCEIVER }) }, decode: { count: 1, engine: engine({ disable_overlap_scheduler: false, cache_transceiver_config: TRANSCEIVER }) } }
    : { agg: { count: 1, engine: engine() } };
  return structuredClone({ name: 'keys', model: MODEL, client: { goodput_ttft_ms: 2000 }, router: {}, platform: {}, disaggregation: {}, workers });
}

/** Shared prefixes, long and short prompts, bursts, outputs of 1 to 40 tokens. */
const TRACE: TraceRequest[] = makeTrace(
  Array.from({ length: 24 }, (_, i) => {
    const isl = i % 7 === 3 ? 9000 : 600 + 256 * (i % 5);
    const blocks = Math.ceil(isl / 512);
    return { t: 40 * i - (i % 3) * 10, isl, osl: 1 + ((i * 13) % 40), ids: Array.from({ length: blocks }, (_, k) => (k < 1 ? 7 : 1000 * (i % 4 === 0 ? 1 : i + 1) + k)) };
  }).sort((a, b) => a.t - b.t),
);

/** Summary and records of a run, or the input error it stopped with. */
function outcome(o: Obj, seed = '1'): string {
  try {
    const s = validateScenario(o, 'keys.yaml');
    const { summary, records } = simulate({ scenario: s, requests: TRACE, seed, workload: 'keys' });
    return JSON.stringify({ summary, records });
  } catch (e) {
    if (e instanceof InputError) return `error: ${e.message}`;
    throw e;
  }
}

/** Keys that need others set to act (an EPLB setting needs the WIDEEP backend and its slots). */
const ENGINE_SETTINGS: Record<string, Obj> = {
  'moe_config.load_balancer.num_slots': { 'moe_config.backend': 'WIDEEP' },
  'moe_config.load_balancer.layer_updates_per_iter': { 'moe_config.backend': 'WIDEEP', 'moe_config.load_balancer.num_slots': 288 },
};
/** Engine key → [roles to try it on, non-default value]; `overrides` gives another value for some roles. */
const ENGINE_OVERRIDES: Record<string, Record<string, unknown>> = { disable_overlap_scheduler: { decode: true } };
const ENGINE_CASES: Record<string, [roles: string[], value: unknown]> = {
  tensor_parallel_size: [['agg', 'prefill', 'decode'], 8],
  moe_expert_parallel_size: [['agg'], 8],
  enable_attention_dp: [['agg', 'prefill', 'decode'], false],
  max_batch_size: [['agg', 'prefill', 'decode'], 1],
  max_num_tokens: [['agg', 'prefill'], 1024],
  max_seq_len: [['agg', 'prefill', 'decode'], 3000],
  enable_chunked_prefill: [['agg', 'prefill'], false],
  disable_overlap_scheduler: [['agg', 'prefill', 'decode'], false],
  stream_interval: [['agg', 'decode'], 4],
  'moe_config.backend': [['agg', 'prefill', 'decode'], 'WIDEEP'],
  'moe_config.use_low_precision_moe_combine': [['agg', 'prefill', 'decode'], true],
  'moe_config.load_balancer.num_slots': [['agg'], 288],
  'moe_config.load_balancer.layer_updates_per_iter': [['agg'], 1],
  'cuda_graph_config.batch_sizes': [['agg', 'decode'], [1]],
  'cuda_graph_config.max_batch_size': [['agg', 'decode'], 1],
  'cuda_graph_config.enable_padding': [['agg', 'decode'], false],
  'kv_cache_config.enable_block_reuse': [['agg', 'prefill'], true],
  'kv_cache_config.tokens_per_block': [['agg'], 32],
  'kv_cache_config.free_gpu_memory_fraction': [['agg', 'prefill', 'decode'], 0.5],
  'kv_cache_config.dtype': [['agg', 'prefill', 'decode'], 'nvfp4'],
  'cache_transceiver_config.backend': [['prefill', 'decode'], 'NIXL'],
  'cache_transceiver_config.max_tokens_in_buffer': [['agg', 'prefill', 'decode'], 200000],
};

/** Worker-group keys besides the engine → [roles, value]. */
const WORKER_CASES: Record<string, [roles: string[], value: unknown]> = {
  count: [['agg', 'prefill', 'decode'], 2],
  'env.TRTLLM_FORCE_COMM_METHOD': [['agg', 'prefill', 'decode'], 'ALLGATHER'],
};

/** Prefill reuse on, the KV router: what routing keys act on. */
const KV_ROUTED = { 'router.router_mode': 'kv', 'workers.prefill.engine.kv_cache_config.enable_block_reuse': true };
/** Scenario keys outside the engine → [disaggregated base?, value, base settings the key acts on]. */
const SCENARIO_CASES: Record<string, [disagg: boolean, value: unknown, base?: Obj]> = {
  name: [false, 'renamed'],
  model: [false, 'no-such-model'],
  'platform.name': [false, 'aws-gb200-k8s'],
  'platform.iteration_slowdown': [false, 1.5],
  'client.connection_limit': [false, 2],
  'client.worker_processes': [false, 2, { 'client.connection_limit': 3 }],
  'client.request_timeout_seconds': [false, 0.3],
  'client.goodput_ttft_ms': [false, 100],
  'client.goodput_itl_ms': [false, 15],
  'client.fixed_schedule': [false, false],
  'client.request_rate': [false, 20, { 'client.fixed_schedule': false }],
  'client.request_rate_mode': [false, 'constant', { 'client.fixed_schedule': false, 'client.request_rate': 20 }],
  'client.concurrency': [false, 3, { 'client.fixed_schedule': false }],
  'client.request_count': [false, 10],
  'router.router_mode': [false, 'kv'],
  'router.round_robin_target': [false, 'dp-rank-worker-major'],
  'router.kv_block_size': [true, 32, KV_ROUTED],
  'router.kv_overlap_score_weight': [true, 0, KV_ROUTED],
  'router.router_temperature': [true, 2, KV_ROUTED],
  'router.kv_events': [true, false, KV_ROUTED],
  'router.router_ttl_secs': [true, 0.001, { ...KV_ROUTED, 'router.kv_events': false }],
  'router.busy_threshold': [true, 0.0001, KV_ROUTED],
  'router.decode_router_mode': [true, 'round-robin', KV_ROUTED],
  'router.kv_event_delay_ms': [true, 500, KV_ROUTED],
  'router.decision_overhead_ms': [false, 5],
  'disaggregation.first_token_from': [true, 'decode'],
};

/** Keys that are documented no-ops (docs/engine-behaviour.md says why). */
const NO_OPS: Record<string, [disagg: boolean, value: unknown, why: string]> = {
  description: [false, 'another description', 'free text; written to summary.json provenance, not simulated'],
  'router.router_reset_states': [true, false, 'a simulation always starts from empty router state (Dynamo --router-reset-states)'],
};

describe('every scenario key is modelled or refused', () => {
  it('the cases cover exactly the schema keys', () => {
    const engineKeys = keyPaths(engineSchema).sort();
    expect(Object.keys(ENGINE_CASES).sort()).toEqual(engineKeys);
    expect(Object.keys(WORKER_CASES).sort()).toEqual(keyPaths(workerGroupSchema).filter((p) => !p.startsWith('engine.') && p !== 'engine').sort());
    const other = keyPaths(scenarioSchema).filter((p) => !p.startsWith('workers.'));
    expect([...Object.keys(SCENARIO_CASES), ...Object.keys(NO_OPS)].sort()).toEqual(other.sort());
  });

  for (const [key, [roles, value]] of Object.entries(ENGINE_CASES)) {
    for (const role of roles) {
      it(`workers.${role}.engine.${key} = ${JSON.stringify(value)} changes the run or is refused`, () => {
        const base = raw(role !== 'agg');
        for (const [k, v] of Object.entries(ENGINE_SETTINGS[key] ?? {})) setPath(base, `workers.${role}.engine.${k}`, v);
        const changed = structuredClone(base);
        setPath(changed, `workers.${role}.engine.${key}`, ENGINE_OVERRIDES[key]?.[role] ?? value);
        if (key === 'kv_cache_config.tokens_per_block') setPath(changed, 'router.kv_block_size', value);
        const a = outcome(base);
        expect(a.startsWith('error'), a).toBe(false);
        expect(outcome(changed)).not.toBe(a);
      });
    }
  }

  for (const [key, [roles, value]] of Object.entries(WORKER_CASES)) {
    for (const role of roles) {
      it(`workers.${role}.${key} = ${JSON.stringify(value)} changes the run or is refused`, () => {
        const base = raw(role !== 'agg');
        const changed = structuredClone(base);
        setPath(changed, `workers.${role}.${key}`, value);
        const a = outcome(base);
        expect(a.startsWith('error'), a).toBe(false);
        expect(outcome(changed)).not.toBe(a);
      });
    }
  }

  for (const [key, [disagg, value, settings]] of Object.entries(SCENARIO_CASES)) {
    it(`${key} = ${JSON.stringify(value)} changes the run or is refused`, () => {
      const base = raw(disagg);
      for (const [k, v] of Object.entries(settings ?? {})) setPath(base, k, v);
      const changed = structuredClone(base);
      setPath(changed, key, value);
      const a = outcome(base);
      expect(a.startsWith('error'), a).toBe(false);
      expect(outcome(changed)).not.toBe(a);
    });
  }

  for (const [key, [disagg, value, why]] of Object.entries(NO_OPS)) {
    it(`${key} is a documented no-op: ${why}`, () => {
      const base = raw(disagg);
      const changed = structuredClone(base);
      setPath(changed, key, value);
      expect(outcome(changed)).toBe(outcome(base));
    });
  }
});
