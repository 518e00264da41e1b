// A worker's TensorRT-LLM engine arguments as Dynamo builds them (flags < --extra-engine-args file < overrides), mapped onto the scenario's engine keys.
import { engineSchema } from '../scenario/schema.ts';
import { inputError } from '../util/errors.ts';
import type { Word } from './dgd-argv.ts';
import type { Findings } from './dgd-findings.ts';
import { ENGINE_KEYS, UNKNOWN_ENGINE_KEY, type Verdict } from './dgd-keys.ts';

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
/** The first line of a YAML parser error, without the position when the caller reports the line itself. */
export const yamlMessage = (e: unknown, keepPosition = false) => {
  const first = (e as Error).message.split('\n')[0];
  return keepPosition ? first.replace(/:$/, '') : first.replace(/ at line \d+, column \d+:?$/, '');
};

interface ZodDef {
  type: string;
  innerType?: { _zod: { def: ZodDef } };
  shape?: Record<string, { _zod: { def: ZodDef } }>;
}
/** The object shape of a zod schema under optional / default / nullable wrappers, or undefined for a leaf. */
function shapeOf(schema: { _zod: { def: ZodDef } } | undefined): Record<string, { _zod: { def: ZodDef } }> | undefined {
  let d = schema?._zod.def;
  while (d && ['optional', 'default', 'nullable', 'prefault'].includes(d.type)) d = d.innerType?._zod.def;
  return d?.type === 'object' ? d.shape : undefined;
}

/** dynamo.trtllm flags that build the engine's base arguments → [engine key, Dynamo's default, parse]. */
const BASE_FLAGS: Record<string, [key: string, fallback: unknown, kind: 'int' | 'float' | 'bool']> = {
  '--tensor-parallel-size': ['tensor_parallel_size', 1, 'int'],
  '--pipeline-parallel-size': ['pipeline_parallel_size', 1, 'int'],
  '--expert-parallel-size': ['moe_expert_parallel_size', null, 'int'],
  '--enable-attention-dp': ['enable_attention_dp', false, 'bool'],
  '--max-batch-size': ['max_batch_size', 2048, 'int'],
  '--max-num-tokens': ['max_num_tokens', 8192, 'int'],
  '--max-seq-len': ['max_seq_len', null, 'int'],
  '--max-beam-width': ['max_beam_width', 1, 'int'],
  '--free-gpu-memory-fraction': ['kv_cache_config.free_gpu_memory_fraction', 0.9, 'float'],
};
export const ENGINE_FLAGS = new Set([...Object.keys(BASE_FLAGS), '--no-enable-attention-dp']);

/** Engine keys the scenario needs when no input sets them: TensorRT-LLM's defaults. */
const TRTLLM_DEFAULTS: Record<string, [value: unknown, why: string]> = {
  enable_chunked_prefill: [false, "TensorRT-LLM's default"],
  disable_overlap_scheduler: [false, "TensorRT-LLM's default (overlap scheduler on)"],
  stream_interval: [1, "TensorRT-LLM's default"],
  'moe_config.backend': ['CUTLASS', "TensorRT-LLM's MoeConfig default (1.0-1.2; later versions default to AUTO, resolved per model)"],
  'cuda_graph_config.enable_padding': [false, "TensorRT-LLM's CudaGraphConfig default (CUDA graphs on)"],
  'kv_cache_config.enable_block_reuse': [true, "TensorRT-LLM's KvCacheConfig default"],
  'kv_cache_config.tokens_per_block': [32, "TensorRT-LLM's KvCacheConfig default"],
  'kv_cache_config.free_gpu_memory_fraction': [0.9, "TensorRT-LLM's KvCacheConfig default"],
  'kv_cache_config.dtype': ['auto', "TensorRT-LLM's KvCacheConfig default"],
};

export interface EngineInput {
  /** The deployment file, for errors. */
  file: string;
  /** e.g. `services.agg`. */
  service: string;
  /** The worker's flags (value words, or true for a bare flag). */
  flags: ReadonlyMap<string, Word | true>;
  config: { label: string; value: Obj };
  overrides: Array<{ label: string; value: Obj }>;
  layers: number;
}

export interface ResolvedEngine {
  engine: Obj;
  /** Engine key path → where its value came from. */
  sources: Map<string, string>;
  /** The parallel sizes whose product is the GPUs one engine spans. */
  parallel: { tp: number; pp: number; cp: number };
}

function setPath(o: Obj, path: string, v: unknown): void {
  const keys = path.split('.');
  let node = o;
  for (const k of keys.slice(0, -1)) node = (isObj(node[k]) ? node[k] : (node[k] = {})) as Obj;
  node[keys[keys.length - 1]] = v;
}
function getPath(o: Obj, path: string): unknown {
  return path.split('.').reduce<unknown>((n, k) => (isObj(n) ? n[k] : undefined), o);
}
function leaves(o: Obj, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (isObj(v) && Object.keys(v).length > 0 ? leaves(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

function parseFlag(flag: string, w: Word | true, kind: 'int' | 'float' | 'bool', file: string, field: string): unknown {
  if (kind === 'bool') return w === true ? !flag.startsWith('--no-') : !['false', '0', 'no'].includes(w.text.toLowerCase());
  const n = w === true ? NaN : Number(w.text);
  if (!Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) {
    throw inputError({ file, field: `${field} ${flag}` }, `expected ${kind === 'int' ? 'an integer' : 'a number'}, got ${w === true ? 'nothing' : `'${w.text}'`}`);
  }
  return n;
}

/** Deep-merge `over` into `into` (Dynamo's deep_update), recording each leaf's source. */
function deepUpdate(into: Obj, over: Obj, label: string, sources: Map<string, string>, prefix = ''): void {
  for (const [k, v] of Object.entries(over)) {
    if (isObj(v) && isObj(into[k])) deepUpdate(into[k] as Obj, v, label, sources, `${prefix}${k}.`);
    else {
      into[k] = structuredClone(v);
      for (const p of isObj(v) && Object.keys(v).length > 0 ? leaves(v, `${prefix}${k}.`) : [`${prefix}${k}`]) sources.set(p, label);
    }
  }
}

export function resolveEngine(input: EngineInput, findings: Findings): ResolvedEngine {
  const { service } = input;
  const sources = new Map<string, string>();
  const base: Obj = {};
  const baseDefaults = new Map<string, string>();
  for (const [flag, [key, fallback, kind]] of Object.entries(BASE_FLAGS)) {
    const name = !input.flags.has(flag) && flag === '--enable-attention-dp' && input.flags.has('--no-enable-attention-dp') ? '--no-enable-attention-dp' : flag;
    const w = input.flags.get(name);
    const given = w !== undefined;
    const value = given ? parseFlag(name, w, kind, input.file, `${service} args`) : fallback;
    setPath(base, key, value);
    if (given) sources.set(key, `${service} ${name}`);
    else baseDefaults.set(key, `Dynamo's ${flag} default`);
  }
  // the file replaces the flags' values key by key (TensorRT-LLM update_llm_args_with_extra_dict: llm_args | file)
  const merged: Obj = { ...base };
  for (const [k, v] of Object.entries(input.config.value)) {
    merged[k] = structuredClone(v);
    for (const p of [...sources.keys(), ...baseDefaults.keys()]) if (p === k || p.startsWith(`${k}.`)) (sources.delete(p), baseDefaults.delete(p));
    for (const p of isObj(v) && Object.keys(v).length > 0 ? leaves(v, `${k}.`) : [k]) sources.set(p, input.config.label);
  }
  if (input.flags.has('--free-gpu-memory-fraction') && isObj(input.config.value.kv_cache_config)) {
    findings.add('ignored', `${service} args`, '--free-gpu-memory-fraction', `replaced by kv_cache_config of ${input.config.label} (Dynamo puts the file over the flags key by key)`);
  }
  for (const o of input.overrides) {
    deepUpdate(merged, o.value, o.label, sources);
    for (const p of leaves(o.value)) baseDefaults.delete(p);
  }

  const attentionDp = merged.enable_attention_dp === true;
  const engine: Obj = {};
  const walk = (node: Obj, shape: ReturnType<typeof shapeOf>, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      const path = prefix + k;
      const child = shape?.[k];
      if (child) {
        const sub = shapeOf(child);
        if (sub && isObj(v)) walk(v, sub, `${path}.`);
        else setPath(engine, path, v);
        continue;
      }
      const rule = ENGINE_KEYS[path];
      if (!rule && isObj(v) && Object.keys(ENGINE_KEYS).some((r) => r.startsWith(`${path}.`))) {
        walk(v, undefined, `${path}.`);
        continue;
      }
      const from = sources.get(path) ?? [...sources.entries()].find(([p]) => p.startsWith(`${path}.`))?.[1];
      if (!from) continue; // a Dynamo default of a flag the schema has no key for (pipeline_parallel_size 1, …)
      const [kind, reason]: Verdict = typeof rule === 'function' ? rule(v, { attentionDp, layers: input.layers }) : (rule ?? UNKNOWN_ENGINE_KEY);
      findings.add(kind, from, path, reason, v);
    }
  };
  walk(merged, shapeOf(engineSchema as never), '');

  // CUDA-graph max_batch_size 0 is TensorRT-LLM's "default" (128), not a size
  if (getPath(engine, 'cuda_graph_config.max_batch_size') === 0) {
    delete (engine.cuda_graph_config as Obj).max_batch_size;
    findings.add('ignored', sources.get('cuda_graph_config.max_batch_size') ?? service, 'cuda_graph_config.max_batch_size', "0 means TensorRT-LLM's default (128, capped at max_batch_size), as the scenario's default", 0);
  }
  for (const [path, why] of baseDefaults) {
    const v = getPath(engine, path);
    if (v === undefined || v === null) continue;
    findings.add('default', service, path, why, v);
    sources.set(path, why);
  }
  if (engine.moe_expert_parallel_size === null || engine.moe_expert_parallel_size === undefined) {
    engine.moe_expert_parallel_size = 1;
    findings.add('default', service, 'moe_expert_parallel_size', "TensorRT-LLM's Mapping default with no expert parallelism given: MoE tensor parallel, expert parallel 1", 1);
    sources.set('moe_expert_parallel_size', 'TensorRT-LLM default');
  }
  if (engine.max_seq_len === null || engine.max_seq_len === undefined) {
    delete engine.max_seq_len;
    findings.add('unsupported', service, 'max_seq_len', "not set: TensorRT-LLM derives it from the checkpoint's config, which servesim does not read; the scenario keeps servesim's default 121000");
  }
  for (const [path, [value, why]] of Object.entries(TRTLLM_DEFAULTS)) {
    const parent = path.includes('.') ? getPath(engine, path.slice(0, path.lastIndexOf('.'))) : engine;
    if (parent === null) continue; // cuda_graph_config: null disables CUDA graphs
    if (getPath(engine, path) !== undefined) continue;
    setPath(engine, path, value);
    sources.set(path, why);
    findings.add('default', service, path, why, value);
  }
  const int = (k: string) => (typeof merged[k] === 'number' ? (merged[k] as number) : 1);
  return { engine, sources, parallel: { tp: int('tensor_parallel_size'), pp: int('pipeline_parallel_size'), cp: int('context_parallel_size') } };
}
