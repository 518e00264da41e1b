// A worker group's parallelism as the cost model reads it: DEP-n (attention data-parallel, experts over
// n GPUs) or TEP-n (tensor-parallel attention), the MoE backend and its table, the MoE communication the
// engine runs, and the sharding of every other weight. Settings outside the model's data stop here
// with one line naming the scenario key and what is supported.
import type { Role } from '../protocol/roles.ts';
import type { EngineConfig, WorkerEnv } from '../scenario/schema.ts';
import { inputError } from '../util/errors.ts';
import type { A2aMethod, CostModel } from './model.ts';

export type MoeBackend = 'TRTLLM' | 'CUTLASS' | 'WIDEEP';
/** MoE backends the model has tables for. */
export const MOE_BACKENDS: readonly MoeBackend[] = ['TRTLLM', 'CUTLASS', 'WIDEEP'];
const BACKENDS = MOE_BACKENDS;

export type Comm =
  | { kind: 'none' }
  | { kind: 'alltoall'; method: A2aMethod; lowPrecisionCombine: boolean }
  | { kind: 'allgather' }
  | { kind: 'allreduce' };

export interface Parallelism {
  /** DEP8, TEP4, TP1 … */
  label: string;
  attentionDp: boolean;
  /** GPUs of the group (tensor_parallel_size). */
  gpus: number;
  /** Attention-DP ranks (1 with tensor-parallel attention). */
  ranks: number;
  ep: number;
  /** Attention tensor parallelism (1 under attention DP) and the local heads it leaves. */
  attentionTp: number;
  heads: number;
  /** TP of the shared experts and dense FFN (TRT-LLM _compute_mlp_tp_size) and of the vocabulary. */
  mlpTp: number;
  vocabTp: number;
  backend: MoeBackend;
  /** EPLB slots (null: no load balancer) and the routed-expert slots each GPU holds. */
  slots: number | null;
  slotsPerGpu: number;
  distribution: string;
  comm: Comm;
  /** What this setting leaves out or approximates (reported in the run summary). */
  notes: string[];
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** TRT-LLM's MLP TP under tensor-parallel attention: gcd(inter / 16, tp), kept within a node. */
function mlpTpSize(inter: number, tp: number, gpusPerNode: number): number {
  const t = gcd(inter / 16, tp);
  return t > gpusPerNode ? gcd(t, gpusPerNode) : t;
}

/** Resolve and validate `engine` of a `role` group against `model`'s tables. */
export function resolveParallelism(model: CostModel, role: Role, engine: EngineConfig, env: WorkerEnv): Parallelism {
  const field = `workers.${role}.engine`;
  const spec = model.spec;
  const a = spec.architecture;
  const notes: string[] = [];
  const backend = engine.moe_config.backend as MoeBackend;
  if (!BACKENDS.includes(backend)) {
    const why = engine.moe_config.backend === 'CUTEDSL' ? ' (AIConfigurator has no CuteDSL MoE rows)' : '';
    throw inputError({ field: `${field}.moe_config.backend` }, `${engine.moe_config.backend}: no MoE table in cost model ${model.name}${why}; supported: ${BACKENDS.join(', ')}`);
  }
  const tp = engine.tensor_parallel_size;
  const ep = engine.moe_expert_parallel_size;
  const dist = spec.moe.distribution;
  if (ep === undefined) {
    throw inputError({ field: `${field}.moe_expert_parallel_size` }, `not set: servesim's MoE and all-to-all tables are by expert-parallel size; set it (= tensor_parallel_size ${tp}: DEP-n with enable_attention_dp, TEP-n without)`);
  }
  const eps = Object.keys(spec.moe.kernels.cutlass.byDistribution[dist] ?? {}).map(Number).sort((x, y) => x - y);
  if (!eps.includes(ep)) {
    throw inputError({ field: `${field}.moe_expert_parallel_size` }, `${ep}: the MoE and all-to-all tables of ${model.name} cover expert parallelism ${eps.join(', ')}`);
  }
  if (ep !== tp) {
    throw inputError({ field: `${field}.moe_expert_parallel_size` }, `${ep} with tensor_parallel_size ${tp} means MoE tensor parallelism ${tp / ep}, which the tables do not have (moe_tp_size 1 only); supported: moe_expert_parallel_size = tensor_parallel_size (DEP-n with enable_attention_dp, TEP-n without)`);
  }
  const attentionDp = engine.enable_attention_dp;
  const attentionTp = attentionDp ? 1 : tp;
  const heads = a.attentionHeads / attentionTp;
  const tableHeads = model.attentionHeads();
  if (!tableHeads.includes(heads)) {
    const maxTp = a.attentionHeads / tableHeads[tableHeads.length - 1];
    throw inputError({ field: `${field}.tensor_parallel_size` }, `${tp} without attention DP leaves ${a.attentionHeads / tp} attention heads per GPU; the ${a.attention.toUpperCase()} tables of ${model.name} have ${tableHeads[tableHeads.length - 1]}-${tableHeads[0]} local heads (tensor-parallel attention up to ${maxTp}, or enable_attention_dp)`);
  }
  const gpusPerNode = spec.comm.gpusPerNode;
  const mlpTp = attentionDp ? 1 : mlpTpSize(a.moeInterSize, tp, gpusPerNode);
  const vocabTp = attentionDp ? 1 : tp;

  // MoE table: WIDEEP has its own (EPLB slots); TRTLLM and CUTLASS read moe_perf
  const lb = engine.moe_config.load_balancer;
  let slots: number | null = null;
  if (backend === 'WIDEEP') {
    if (!attentionDp || tp === 1) throw inputError({ field: `${field}.moe_config.backend` }, 'WIDEEP needs enable_attention_dp with tensor_parallel_size > 1 (its all-to-all); supported without: TRTLLM, CUTLASS');
    if (!model.wideep(null, dist, ep)) throw inputError({ field: `${field}.moe_config.backend` }, `WIDEEP: the wideep_moe table has no ${dist} rows at EP ${ep} (model setting moe.distribution of ${model.name})`);
    notes.push(`${role}: moe_config.backend WIDEEP is deprecated in TensorRT-LLM 1.3 (wide EP is served by the TRTLLM and CUTLASS backends there); timed with AIC's wideep_moe rows (1.3.0rc10)`);
    if (lb) {
      const have = Object.keys(spec.moe.wideep.bySlots).filter((s) => model.wideep(Number(s), dist, ep));
      if (!have.includes(String(lb.num_slots))) throw inputError({ field: `${field}.moe_config.load_balancer.num_slots` }, `${lb.num_slots}: the wideep_moe_eplb table has num_slots ${have.join(', ')} at EP ${ep}`);
      if (lb.layer_updates_per_iter > 0) throw inputError({ field: `${field}.moe_config.load_balancer.layer_updates_per_iter` }, `${lb.layer_updates_per_iter}: online EPLB (weights moved while serving) is not in the tables, whose rows are a static balanced placement; supported: 0`);
      slots = lb.num_slots;
    }
  } else {
    if (lb) throw inputError({ field: `${field}.moe_config.load_balancer` }, `EPLB rows exist only for moe_config.backend WIDEEP (AIC wideep_moe_eplb); ${backend} has none`);
    if (!model.moe('cutlass', dist, ep)) throw inputError({ field: `${field}.moe_config.backend` }, `no ${dist} rows for ${backend} at EP ${ep}`);
  }
  const slotsPerGpu = (slots ?? a.routedExperts) / ep;

  // communication: all-to-all (or all-gather / reduce-scatter) under attention DP, all-reduce under TP
  let comm: Comm = { kind: 'none' };
  const lp = engine.moe_config.use_low_precision_moe_combine;
  const forced = env.TRTLLM_FORCE_COMM_METHOD;
  if (attentionDp && tp > 1) {
    if (forced === 'DEEPEP' || forced === 'DEEPEPLOWLATENCY') {
      throw inputError({ field: `workers.${role}.env.TRTLLM_FORCE_COMM_METHOD` }, `${forced}: no DeepEP table for GB200 TRT-LLM in AIC; supported: NVLINK_ONE_SIDED, NVLINK_TWO_SIDED, ALLGATHER`);
    }
    if (forced === 'ALLGATHER') {
      comm = { kind: 'allgather' };
      if (lp) notes.push(`${role}: use_low_precision_moe_combine has no effect with ALLGATHER (TensorRT-LLM quantizes the all-to-all combine only)`);
    } else {
      const method: A2aMethod = forced === 'NVLINK_TWO_SIDED' || (forced === undefined && backend === 'WIDEEP') ? 'NVLinkTwoSided' : 'NVLinkOneSided';
      if (!model.allToAll(method, 'dispatch', ep)) throw inputError({ field: `${field}.moe_expert_parallel_size` }, `${ep}: no ${method} all-to-all rows at EP ${ep}`);
      const lowPrecision = lp && !!model.allToAll(method, 'combineLowPrecision', ep);
      if (lp && !lowPrecision) notes.push(`${role}: use_low_precision_moe_combine: no ${method} low-precision combine rows; combine timed at bf16`);
      comm = { kind: 'alltoall', method, lowPrecisionCombine: lowPrecision };
    }
    if (forced === 'ALLGATHER' && tp > gpusPerNode) notes.push(`${role}: NCCL all-gather / reduce-scatter over ${tp} GPUs scaled from the 4-GPU rows ((n-1)/n x 4/3, as AIC does)`);
  } else if (tp > 1) {
    comm = { kind: 'allreduce' };
    if (lp) notes.push(`${role}: use_low_precision_moe_combine has no effect without attention DP (TensorRT-LLM quantizes the all-to-all combine only)`);
    if (tp > gpusPerNode) notes.push(`${role}: custom all-reduce over ${tp} GPUs scaled from the 4-GPU rows ((n-1)/n x 4/3, as AIC does)`);
  }
  if (!attentionDp && forced !== undefined) notes.push(`${role}: TRTLLM_FORCE_COMM_METHOD has no effect without attention DP`);
  const label = tp === 1 ? 'TP1' : `${attentionDp ? 'DEP' : 'TEP'}${tp}`;
  return { label, attentionDp, gpus: tp, ranks: attentionDp ? tp : 1, ep, attentionTp, heads, mlpTp, vocabTp, backend, slots, slotsPerGpu, distribution: dist, comm, notes };
}
