// Builds the cost-model files (models/gb200-*-trtllm.json) from AIConfigurator's GB200 TRT-LLM tables:
// which rows of which CSV each table is, the checkpoint's architecture and per-projection dtypes, the
// weights per GPU by sharding, and AIC's system constants. Pure: CSV folder in, JSON objects out.

import { AicTables, provenance, type Curve, type Grid } from './aic-tables.ts';

const AIC = 'ai-dynamo/aiconfigurator 095f58a51c4ca8e61b66ec108d86f223f8d559ce';
const GB200_YAML = `${AIC} aic-core/src/aiconfigurator_core/systems/gb200.yaml`;
/** Expert-parallel sizes the models cover (the one-sided all-to-all and the EPLB-slot rows stop at 32). */
const EP_SIZES = [1, 2, 4, 8, 16, 32];
const NVFP4_BYTES = 9 / 16; // AIC common.py GEMMQuantMode.nvfp4: 4-bit weights + one fp8 scale per 16
const BF16_BYTES = 2;

interface Checkpoint {
  file: string;
  name: string;
  hf: string;
  description: string;
  attention: 'dsa' | 'mla';
  /** gemm_type key of the attention module rows (AIC keys mixed checkpoints on o_proj's dtype). */
  attentionGemmType: 'nvfp4' | 'bfloat16';
  /** bytes per parameter of q/kv (and indexer) projections and of o_proj. */
  qkvBytes: number;
  oBytes: number;
  quantSource: string;
}

const DSV32: Checkpoint = {
  file: 'gb200-dsv32-nvfp4-trtllm.json',
  name: 'gb200-dsv32-nvfp4-trtllm',
  hf: 'nvidia/DeepSeek-V3.2-NVFP4',
  description: 'DeepSeek-V3.2 NVFP4 (DSA sparse attention) on GB200 with TensorRT-LLM',
  attention: 'dsa',
  attentionGemmType: 'nvfp4',
  qkvBytes: BF16_BYTES,
  oBytes: NVFP4_BYTES,
  quantSource: `${AIC} model_configs/nvidia--DeepSeek-V3.2-NVFP4_hf_quant_config.json: NVFP4 except lm_head, q_a/q_b/kv_a/kv_b projections and the indexer (bf16); o_proj NVFP4, so AIC keys the DSA module rows on gemm_type nvfp4 (models/deepseek_v32.py::_dsa_attention_quant_modes)`,
};

const DSR1: Checkpoint = {
  file: 'gb200-dsr1-nvfp4-trtllm.json',
  name: 'gb200-dsr1-nvfp4-trtllm',
  hf: 'nvidia/DeepSeek-R1-NVFP4',
  description: 'DeepSeek-R1 NVFP4 (dense MLA attention) on GB200 with TensorRT-LLM',
  attention: 'mla',
  attentionGemmType: 'bfloat16',
  qkvBytes: BF16_BYTES,
  oBytes: BF16_BYTES,
  quantSource: `${AIC} sdk/models/deepseek.py (DeepSeekModel.create): the R1 NVFP4 checkpoint excludes the whole self_attn block from quantization, so the MLA module rows are read at gemm_type bfloat16; routed, shared and dense FFN weights NVFP4, lm_head bf16`,
};

/** DeepSeek-V3 / R1 / V3.2 config.json (AIC model_configs/nvidia--DeepSeek-V3.2-NVFP4_config.json). */
const DIMS = {
  layers: 61, denseLayers: 3, moeLayers: 58, hidden: 7168, heads: 128, qLora: 1536, kvLora: 512, nope: 128, rope: 64, v: 128,
  indexHeads: 64, indexDim: 128, experts: 256, topK: 8, moeInter: 2048, denseInter: 18432, vocab: 129280, maxPositions: 163840,
};

/** Weight groups on one GPU before sharding, bytes, and how TRT-LLM shards each (docs/cost-model.md). */
function weights(c: Checkpoint) {
  const d = DIMS;
  const layer = (q: number) => q * d.layers;
  const indexer = c.attention === 'dsa' ? d.qLora * d.indexHeads * d.indexDim + d.hidden * d.indexDim + d.hidden * d.indexHeads : 0;
  const expert = 3 * d.hidden * d.moeInter * NVFP4_BYTES;
  return {
    routedExpertBytes: expert,
    groups: [
      { name: c.attention === 'dsa' ? 'attention q_a, kv_a and indexer projections (replicated)' : 'attention q_a, kv_a projections (replicated)', shard: 'none', bytes: layer((d.hidden * d.qLora + d.hidden * (d.kvLora + d.rope) + indexer) * c.qkvBytes) },
      { name: 'attention q_b, kv_b (by heads)', shard: 'attention-tp', bytes: layer((d.qLora * d.heads * (d.nope + d.rope) + d.kvLora * d.heads * (d.nope + d.v)) * c.qkvBytes) },
      { name: 'attention o_proj (by heads)', shard: 'attention-tp', bytes: layer(d.heads * d.v * d.hidden * c.oBytes) },
      { name: 'norms', shard: 'none', bytes: (d.layers * (2 * d.hidden + d.qLora + d.kvLora) + d.hidden) * BF16_BYTES },
      { name: 'shared experts', shard: 'mlp-tp', bytes: d.moeLayers * expert },
      { name: 'dense FFN (first 3 layers)', shard: 'mlp-tp', bytes: d.denseLayers * 3 * d.hidden * d.denseInter * NVFP4_BYTES },
      { name: 'router gates', shard: 'none', bytes: d.moeLayers * d.experts * d.hidden * BF16_BYTES },
      { name: 'embedding', shard: 'vocab-tp', bytes: d.vocab * d.hidden * BF16_BYTES },
      { name: 'lm_head', shard: 'vocab-tp', bytes: d.vocab * d.hidden * BF16_BYTES },
    ],
    source: `parameters from config.json (${c.hf}) x bytes per parameter from the checkpoint's quantization (${c.quantSource}); routedExpertBytes = one routed expert of one MoE layer (gate, up, down, NVFP4), held num_slots / moe_expert_parallel_size times per MoE layer. The MTP layer is not loaded without speculative decoding.`,
  };
}

/** Attention module tables of checkpoint `c` for the local head counts TP 1..32 gives (128 / tp). */
function attention(t: AicTables, c: Checkpoint) {
  const ctxCsv = c.attention === 'dsa' ? 'dsa_context_module_perf_dsv32_fp8kv__rc20.csv' : 'mla_context_module_perf_fp8kv__rc20.csv';
  const genCsv = c.attention === 'dsa' ? 'dsa_generation_module_perf_dsv32_fp8kv__rc20.csv' : 'mla_generation_module_perf_fp8kv__rc20.csv';
  const heads = t.values(ctxCsv, { gemm_type: c.attentionGemmType }, 'num_heads').filter((h) => EP_SIZES.includes(DIMS.heads / h));
  const context: Record<string, Curve> = {};
  const generation: Record<string, Grid> = {};
  for (const h of heads) {
    context[h] = t.curve(ctxCsv, { gemm_type: c.attentionGemmType, num_heads: h, batch_size: 1, step: 0 }, 'isl');
    generation[h] = t.grid(genCsv, { gemm_type: c.attentionGemmType, num_heads: h }, 'step', 'batch_size');
  }
  return {
    gemmType: c.attentionGemmType,
    kvCacheDtype: 'fp8',
    context: {
      unit: 'ms per layer of one GPU: the whole attention module (projections, attention, output) over a prompt of x new tokens, batch 1, no cached prefix; byHeads = local heads (128 / attention TP)',
      source: provenance(ctxCsv, { gemm_type: c.attentionGemmType, num_heads: 'byHeads key', batch_size: 1, step: 0, kv_cache_dtype: 'fp8' }, 'isl'),
      byHeads: context,
    },
    generation: {
      unit: 'ms per layer of one GPU: one decode step of cols requests, each with rows tokens of KV; byHeads = local heads; only batch columns present for every KV length are kept',
      source: provenance(genCsv, { gemm_type: c.attentionGemmType, num_heads: 'byHeads key', isl: 1, kv_cache_dtype: 'fp8' }, 'step x batch_size'),
      byHeads: generation,
    },
  };
}

function byEp(t: AicTables, csv: string, filter: Record<string, string | number>, eps = EP_SIZES): Record<string, Curve> {
  const out: Record<string, Curve> = {};
  for (const ep of eps) if (t.select(csv, { ...filter, moe_ep_size: ep }).length > 0) out[ep] = t.curve(csv, { ...filter, moe_ep_size: ep }, 'num_tokens');
  return out;
}

function moe(t: AicTables) {
  const csv = 'moe_perf_dsv3_tp1__rc20.csv';
  const shape = { moe_dtype: 'nvfp4', hidden_size: 7168, inter_size: 2048, topk: 8, num_experts: 256, moe_tp_size: 1 };
  const dists = ['balanced', 'power_law_1.01', 'power_law_1.2'];
  const kernel = (k: string) => ({
    source: provenance(csv, { ...shape, kernel_source: k, distribution: 'byDistribution key', moe_ep_size: 'byEp key' }, 'num_tokens'),
    byDistribution: Object.fromEntries(dists.map((dist) => [dist, byEp(t, csv, { ...shape, kernel_source: k, distribution: dist })])),
  });
  const wcsv = 'wideep_moe_perf_dsv3__rc10.csv';
  const wshape = { moe_dtype: 'nvfp4', hidden_size: 7168, inter_size: 2048, topk: 8, num_experts: 256, moe_tp_size: 1 };
  const wide = (op: string, slots: number, ds: string[]) =>
    Object.fromEntries(ds.map((dist) => [dist, byEp(t, wcsv, { ...wshape, op_name: op, num_slots: slots, distribution: dist })]).filter(([, v]) => Object.keys(v as object).length > 0));
  return {
    unit: 'ms per MoE layer on the most loaded GPU (power-law rows) by the tokens that reach each GPU: per-rank tokens x attention-DP size (all ranks\' tokens) under DEP, the rank\'s tokens under TEP; routed experts only (no router, shared expert or communication)',
    distribution: 'power_law_1.01',
    distributionSource: `${AIC} sdk/config.py workload_distribution "power_law" + sdk/models/deepseek.py _power_law_alpha 1.01 (AIC's default routing skew)`,
    minLatencyMaxTokens: 128,
    minLatencySource: `${AIC} rust operators/moe.rs (MoeOp::silicon_pr): nvfp4 gated MoE at <= 128 tokens reads the moe_torch_flow_min_latency rows (the TRTLLM backend's min-latency kernel), above that the cutlass rows`,
    roofline: {
      fp4TcFlops: 10e15,
      memBwBytesPerS: 8e12,
      weightBytesPerParam: NVFP4_BYTES,
      source: `${GB200_YAML} (fp4_tc_flops, mem_bw); formula of ${AIC} rust operators/moe.rs::moe_sol; beyond the last row AIC holds the last row's utilization against this roofline (perf_database/moe.rs, k_tail=1)`,
    },
    kernels: { cutlass: kernel('moe_torch_flow_cutlass'), min_latency: kernel('moe_torch_flow_min_latency') },
    wideep: {
      unit: 'ms per MoE layer, WideEP expert compute of EP rank 0 (top-k routing of given logits + routed experts; no router GEMM, no all-to-all) by tokens of the whole EP group',
      source: provenance(wcsv, { ...wshape, op_name: 'wideep_moe (no load balancer) | wideep_moe_eplb', num_slots: 'bySlots key', distribution: 'byDistribution key', moe_ep_size: 'byEp key' }, 'num_tokens'),
      noLoadBalancer: wide('wideep_moe', 256, ['power_law_1.01', 'power_law_1.2']),
      bySlots: { 256: wide('wideep_moe_eplb', 256, ['power_law_1.01_eplb', 'power_law_1.2_eplb']), 288: wide('wideep_moe_eplb', 288, ['power_law_1.01_eplb', 'power_law_1.2_eplb']) },
    },
  };
}

function comm(t: AicTables) {
  const a2a = 'trtllm_alltoall_perf__rc10.csv';
  const shape = { hidden_size: 7168, topk: 8, num_experts: 256, distribution: 'balanced', moe_dtype: 'nvfp4' };
  const op = (ks: string, name: string) => byEp(t, a2a, { ...shape, kernel_source: ks, op_name: name }, EP_SIZES.slice(1));
  const nccl = 'nccl_perf__nccl_2.23.csv';
  const ncclCurves = (name: string) => Object.fromEntries([2, 4].map((g) => [g, t.curve(nccl, { op_name: name, nccl_dtype: 'half', num_gpus: g }, 'message_size')]));
  const car = 'custom_allreduce_perf__rc20.csv';
  return {
    gpusPerNode: 4,
    gpusPerNodeSource: `${GB200_YAML} node.num_gpus_per_node (one GB200 compute tray); NCCL and custom all-reduce rows exist for 2 and 4 GPUs`,
    allToAll: {
      unit: 'ms per MoE layer by tokens per rank (every rank sends as many), nvfp4 dispatch payload',
      NVLinkTwoSided: {
        source: provenance(a2a, { ...shape, kernel_source: 'NVLinkTwoSided', op_name: 'alltoall_prepare | alltoall_dispatch | alltoall_combine | alltoall_combine_low_precision', moe_ep_size: 'byEp key' }, 'num_tokens'),
        prepare: op('NVLinkTwoSided', 'alltoall_prepare'),
        dispatch: op('NVLinkTwoSided', 'alltoall_dispatch'),
        combine: op('NVLinkTwoSided', 'alltoall_combine'),
        combineLowPrecision: op('NVLinkTwoSided', 'alltoall_combine_low_precision'),
      },
      NVLinkOneSided: {
        source: provenance(a2a, { ...shape, kernel_source: 'NVLinkOneSided', op_name: 'alltoall_dispatch | alltoall_combine', moe_ep_size: 'byEp key' }, 'num_tokens'),
        dispatch: op('NVLinkOneSided', 'alltoall_dispatch'),
        combine: op('NVLinkOneSided', 'alltoall_combine'),
      },
    },
    nccl: {
      unit: 'ms by message size in half-precision elements; beyond 4 GPUs AIC scales the 4-GPU rows by (n-1)/n x 4/3 (equal p2p bandwidth in and across nodes, gb200.yaml)',
      source: provenance(nccl, { op_name: 'all_gather | reduce_scatter', nccl_dtype: 'half', num_gpus: 'byGpus key' }, 'message_size'),
      all_gather: { byGpus: ncclCurves('all_gather') },
      reduce_scatter: { byGpus: ncclCurves('reduce_scatter') },
    },
    customAllReduce: {
      unit: 'ms by message size in bf16 elements (tokens x hidden); beyond 4 GPUs scaled like NCCL (AIC perf_database/communication.rs::query_custom_allreduce_scaled)',
      source: provenance(car, { allreduce_dtype: 'bfloat16', num_gpus: 'byGpus key' }, 'message_size'),
      byGpus: Object.fromEntries([2, 4].map((g) => [g, t.curve(car, { allreduce_dtype: 'bfloat16', num_gpus: g }, 'message_size')])),
    },
  };
}

/**
 * GEMM shapes (n x k) of DeepSeek's non-attention, non-MoE ops, or their grid neighbours: the shared
 * expert's gate_up (2 x 2048 / tp, 7168) and down (7168, 2048 / tp) for tp 1, 2, 4 are on the grid; the
 * dense FFN's gate_up (2 x 18432 / tp, 7168) and down (7168, 18432 / tp) and the logits (129280 / tp,
 * 7168) lie between grid points and are interpolated there, as AIC does.
 */
const GEMMS: Record<string, Array<[number, number]>> = {
  nvfp4: [[1024, 7168], [2048, 7168], [4096, 7168], [12288, 7168], [16384, 7168], [51200, 7168], [7168, 512], [7168, 1024], [7168, 2048], [7168, 4096], [7168, 8192], [7168, 16384]],
  bfloat16: [[256, 7168], [12288, 7168], [16384, 7168], [51200, 7168], [65536, 7168]],
};

function gemm(t: AicTables) {
  const csv = 'gemm_perf_dsv3_shapes__rc20.csv';
  const byDtype: Record<string, Record<string, Curve>> = {};
  for (const [dtype, shapes] of Object.entries(GEMMS)) {
    byDtype[dtype] = Object.fromEntries(shapes.map(([n, k]) => [`${n}x${k}`, t.curve(csv, { gemm_dtype: dtype, n, k }, 'm')]));
  }
  return {
    unit: 'ms of one GEMM [m x k] x [k x n] with bf16 input (activation quantization inside), by m; keys n x k',
    source: provenance(csv, { gemm_dtype: 'byDtype key', n: 'shape key', k: 'shape key' }, 'm'),
    byDtype,
  };
}

/** One model file for checkpoint `c`. */
function model(t: AicTables, c: Checkpoint) {
  const d = DIMS;
  const indexer = c.attention === 'dsa' ? (d.indexDim + 4) * d.layers : 0;
  return {
    name: c.name,
    description: `${c.description}. Per-GPU op tables from AIConfigurator's GB200 TRT-LLM perf database, composed by parallelism (DEP-n, TEP-n) as docs/cost-model.md describes. Generated by scripts/build-cost-models.ts; do not edit by hand.`,
    sources: {
      tables: `../shared/reference/aic-gb200/*.csv (row subsets of ${AIC} systems/data/gb200/*/trtllm/<version>/*.parquet; see its README.md)`,
      checkpoint: c.hf,
      system: GB200_YAML,
    },
    architecture: {
      checkpoint: c.hf,
      layers: d.layers, moeLayers: d.moeLayers, denseLayers: d.denseLayers, hiddenSize: d.hidden, attentionHeads: d.heads,
      routedExperts: d.experts, topK: d.topK, moeInterSize: d.moeInter, denseInterSize: d.denseInter, vocabSize: d.vocab,
      maxPositionEmbeddings: d.maxPositions,
      attention: c.attention,
      kvBytesPerToken: (d.kvLora + d.rope) * d.layers,
      kvCacheDtype: 'fp8',
      autoKvCacheDtype: 'fp8',
      indexerKBytesPerToken: indexer,
      kvReplicatedAcrossTp: true,
      source: `config.json of ${c.hf}: MLA latent ${d.kvLora} + rope ${d.rope} values/layer at the KV dtype (TRT-LLM stores all 576 at kv_cache_config.dtype, one shared head, not split by TP), x ${d.layers} layers${c.attention === 'dsa' ? `; DSA indexer K ${d.indexDim} fp8 + one fp32 scale per layer (AIC common.py::indexer_cache_entry_bytes)` : ''}; the checkpoint's kv_cache_quant_algo is FP8`,
    },
    weights: weights(c),
    memory: {
      hbmBytesPerGpu: 198674743296,
      otherBytes: 3758096384,
      ncclBytesByTp: { 1: 0, 2: 358612992, 4: 411041792, 8: 411041792 },
      activationCoefficientByTp: { 1: 22, 2: 13, 4: 10, 8: 10 },
      minActivationBytes: 70 * 1024 * 1024,
      source: `${GB200_YAML} (gpu.mem_capacity, misc.other_mem, misc.nccl_mem) and AIC's TRT-LLM memory model (sdk/backends/trtllm_backend.py ACTIVATION_COEFFICIENTS DEEPSEEK, base_backend.py::_get_memory_usage: activations = 2 x max_num_tokens x hidden x coefficient(min(attention TP, 8)) + MoE dispatch workspace max_num_tokens x hidden x DP x experts x topK / EP / 128 x 4 bytes). KV pool = (HBM - weights - activations - NCCL - other) x free_gpu_memory_fraction.`,
    },
    attention: attention(t, c),
    moe: moe(t),
    comm: comm(t),
    gemm: gemm(t),
    elementwise: {
      memBwBytesPerS: 8e12,
      memBwScaling: 0.8,
      constantLatencyMs: 0.003,
      source: `${GB200_YAML} gpu.mem_bw, mem_bw_empirical_scaling_factor, mem_empirical_constant_latency; formula of AIC's ElementWise op (rust operators/elementwise.rs, query_mem_op): bytes / (mem_bw x scaling) + constant. Norm + residual: 8 x hidden bytes per token, twice a layer; SiLU-and-mul: 2 x (2 x inter + inter) bytes per token`,
    },
    kvTransfer: {
      fixedMs: 5,
      source: 'gb200-cost-data.md section 6: UCX cuda_ipc over MNNVL, whole request after prefill (no layer-wise overlap), ~5 ms fixed (TRT-LLM PR #12273); bandwidth is the calibration parameter kvTransferGBps',
    },
    calibration: 'gb200-trtllm',
  };
}

/** The model files, by file name in models/. */
export function buildCostModels(csvDir: string): Record<string, object> {
  const t = new AicTables(csvDir);
  return Object.fromEntries([DSV32, DSR1].map((c) => [c.file, model(t, c)]));
}
