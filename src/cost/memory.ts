// GPU memory of a worker group: weights per GPU from the parallelism (routed experts / EP, the rest
// replicated or sharded as TensorRT-LLM shards it), AIC's activation, NCCL and runtime reserves, and
// the KV pool TensorRT-LLM sizes from what is left (free_gpu_memory_fraction of it).
import type { CostModelFile } from './spec.ts';
import type { Parallelism } from './parallelism.ts';

export interface MemoryUse {
  weightsBytes: number;
  routedExpertBytes: number;
  activationBytes: number;
  ncclBytes: number;
  otherBytes: number;
  /** HBM left for the KV pool before free_gpu_memory_fraction. */
  freeBytes: number;
}

/** AIC keys its activation and NCCL reserves on min(attention TP, 8) (trtllm_backend.py). */
function tpKey(tp: number): string {
  return String(Math.min(tp, 8));
}

/** Memory use of one GPU of a group with parallelism `p` and `maxNumTokens` per forward step. */
export function memoryUse(spec: CostModelFile, p: Parallelism, maxNumTokens: number): MemoryUse {
  const a = spec.architecture;
  const m = spec.memory;
  const routed = spec.weights.routedExpertBytes * a.moeLayers * p.slotsPerGpu;
  let weights = routed;
  for (const g of spec.weights.groups) {
    const div = g.shard === 'attention-tp' ? p.attentionTp : g.shard === 'mlp-tp' ? p.mlpTp : g.shard === 'vocab-tp' ? p.vocabTp : 1;
    weights += g.bytes / div;
  }
  // AIC base_backend.py::_get_memory_usage: 2 x tokens x hidden x coefficient, plus the MoE block-scale
  // dispatch workspace tokens x hidden x DP x experts x topK / EP / 128 x 4 bytes
  const coefficient = m.activationCoefficientByTp[tpKey(p.attentionTp)];
  const dp = p.attentionDp ? p.gpus : 1;
  const workspace = (maxNumTokens * a.hiddenSize * dp * a.routedExperts * a.topK) / p.ep / 128 * 4;
  const activations = Math.max(m.minActivationBytes, 2 * maxNumTokens * a.hiddenSize * coefficient + workspace);
  const nccl = m.ncclBytesByTp[tpKey(p.attentionTp)] ?? 0;
  const freeBytes = m.hbmBytesPerGpu - weights - activations - nccl - m.otherBytes;
  return { weightsBytes: weights, routedExpertBytes: routed, activationBytes: activations, ncclBytes: nccl, otherBytes: m.otherBytes, freeBytes };
}

/**
 * KV blocks a GPU holds: (free HBM − the transceiver's pre-allocated buffers) × free_gpu_memory_fraction
 * / bytes per block (TRT-LLM's estimate_max_kv_cache_tokens counts those buffers as used memory).
 */
export function kvCapacityBlocks(use: MemoryUse, freeGpuMemoryFraction: number, bytesPerToken: number, tokensPerBlock: number, transferBufferBytes = 0): number {
  return Math.max(0, Math.floor(((use.freeBytes - transferBufferBytes) * freeGpuMemoryFraction) / (bytesPerToken * tokensPerBlock)));
}
