// Runs of identical decode-only iterations (same requests, every context one token longer a step)
// are simulated as one event: this times each step of such a run exactly, rank by rank, with each
// rank's decode attention a line in its mean context between table rows.
import type { StepShape } from '../cost/model.ts';
import type { WorkerCost } from '../cost/worker-cost.ts';

/**
 * Fill `endsMs[1 .. steps-1]` with the end of each step relative to the run's start (`endsMs[0]` is
 * the first step, already timed). `decodes[r]` / `context[r]`: requests and mean KV length on rank r
 * at the first step; `shape` carries the run's constant token counts.
 */
export function timeDecodeRun(
  endsMs: Float64Array,
  steps: number,
  cost: WorkerCost,
  decodes: readonly number[],
  context: readonly number[],
  shape: StepShape,
  cudaGraph: boolean,
): void {
  const lines = decodes.map((n, r) => (n > 0 ? cost.decodeAttentionLine(n, context[r]) : null));
  const anchors = context.slice();
  for (let j = 1; j < steps; j++) {
    let maxAttn = 0;
    for (let r = 0; r < lines.length; r++) {
      let line = lines[r];
      if (line === null) continue;
      const ctx = context[r] + j;
      if (ctx >= line.untilContextTokens) {
        line = lines[r] = cost.decodeAttentionLine(decodes[r], ctx);
        anchors[r] = ctx;
      }
      const attn = line.valueMs + line.slopeMs * (ctx - anchors[r]);
      if (attn > maxAttn) maxAttn = attn;
    }
    shape.maxAttentionMs = maxAttn;
    endsMs[j] = endsMs[j - 1] + cost.iterationMs(shape, cudaGraph);
  }
}
