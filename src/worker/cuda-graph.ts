// CUDA graphs for decode-only iterations, as TensorRT-LLM captures and replays them: the captured batch
// sizes (cuda_graph_config.batch_sizes, or the list TRT-LLM generates from max_batch_size and
// enable_padding, filtered to what the engine can schedule), and which graph a lockstep decode step
// replays. Under attention DP every rank must replay the same size: with padding each rank pads to the
// captured size at or above the largest rank batch; without padding only equal, captured batches
// replay. A rank with no request runs one dummy request (TRT-LLM _pad_attention_dp_dummy_request).
// Sources: llm_args.py _generate_cuda_graph_batch_sizes, model_engine.py _filter_cuda_graph_batch_sizes,
// cuda_graph_runner.py _get_padded_batch / maybe_get_cuda_graph (docs/engine-behaviour.md §CUDA graphs).
import type { StepShape } from '../cost/model.ts';
import type { EngineConfig } from '../scenario/schema.ts';

/** The batch sizes TensorRT-LLM (1.0–1.2 list) captures when cuda_graph_config.batch_sizes is not given. */
export function generatedBatchSizes(maxBatchSize: number, padding: boolean): number[] {
  let sizes = padding ? [1, 2, 4, ...Array.from({ length: 16 }, (_, i) => (i + 1) * 8)] : [...Array.from({ length: 31 }, (_, i) => i + 1), 32, 64, 128];
  for (let e = 8; e < Math.ceil(Math.log2(maxBatchSize)); e++) sizes.push(2 ** e);
  sizes = [...new Set(sizes)].filter((s) => s <= maxBatchSize).sort((a, b) => a - b);
  if (sizes[sizes.length - 1] !== maxBatchSize) sizes.push(maxBatchSize);
  return sizes;
}

export class CudaGraphs {
  /** Captured per-rank batch sizes, ascending (empty: graphs off). */
  readonly sizes: readonly number[];
  private readonly padding: boolean;

  constructor(engine: EngineConfig, private readonly ranks: number) {
    const g = engine.cuda_graph_config;
    this.padding = g?.enable_padding ?? false;
    if (g === null) {
      this.sizes = [];
      return;
    }
    const wanted = g.batch_sizes ? [...g.batch_sizes].sort((a, b) => a - b) : generatedBatchSizes(g.max_batch_size ?? 128, this.padding);
    // the engine never schedules more than this per rank
    const cap = Math.min(engine.max_batch_size, engine.max_num_tokens);
    const kept = wanted.filter((s) => s <= cap);
    if (this.padding && kept.length < wanted.length && kept[kept.length - 1] !== cap) kept.push(cap);
    this.sizes = kept;
  }

  /**
   * The per-rank batch a decode-only lockstep iteration replays as a graph, given each rank's decoding
   * requests, or 0 when it runs eagerly.
   */
  replayBatch(decodes: readonly number[]): number {
    if (this.sizes.length === 0) return 0;
    let max = 0;
    let min = Infinity;
    for (let r = 0; r < this.ranks; r++) {
      const b = Math.max(1, decodes[r]); // an idle rank runs a dummy request
      if (b > max) max = b;
      if (b < min) min = b;
    }
    if (this.padding) {
      for (const s of this.sizes) if (s >= max) return s;
      return 0;
    }
    return min === max && this.sizes.includes(max) ? max : 0;
  }
}

/** The shape a replayed graph of per-rank batch `graph` costs: every rank runs `graph` sequences (padding and dummies included); written into `out` when given. */
export function replayShape(maxAttentionMs: number, graph: number, ranks: number, out: StepShape = { maxAttentionMs: 0, globalTokens: 0, maxRankTokens: 0, maxRankSequences: 0 }): StepShape {
  out.maxAttentionMs = maxAttentionMs;
  out.globalTokens = graph * ranks;
  out.maxRankTokens = graph;
  out.maxRankSequences = graph;
  return out;
}
