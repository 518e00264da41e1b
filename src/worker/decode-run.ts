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
  // the run's token counts are constant: only attention changes from step to step
  const rest = cost.restMs(shape, cudaGraph);
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
    endsMs[j] = endsMs[j - 1] + cost.withAttentionMs(maxAttn, rest, cudaGraph);
  }
}

/** The iteration, or run of identical decode-only iterations, a worker has in flight. */
export class StepRun {
  /** Token of the run's end event: a later run (or a cut) supersedes earlier events. */
  id = 0;
  startMs = 0;
  steps = 1;
  /** Time of the step carrying prefill chunks (0 for a decode-only run), ms. */
  prefillMs = 0;
  /** End of each step relative to the run's start, ms. */
  readonly endsMs: Float64Array;

  constructor(readonly maxSteps: number) {
    this.endsMs = new Float64Array(maxSteps);
  }

  /** Start a run of `steps` steps (endsMs[0 .. steps-1] filled) at `nowMs`; returns its end time. */
  begin(nowMs: number, steps: number, prefillMs: number): number {
    this.id++;
    this.startMs = nowMs;
    this.steps = steps;
    this.prefillMs = prefillMs;
    return this.endMs;
  }

  get endMs(): number {
    return this.startMs + this.endsMs[this.steps - 1];
  }

  /** Simulated time of the run's steps, ms. */
  get durationMs(): number {
    return this.endsMs[this.steps - 1];
  }

  /** Something arrived at `nowMs`: end the run at the first step ending at or after it. Returns the new
   *  end time, or NaN when the run already ends there. */
  cutAt(nowMs: number): number {
    let j = 0;
    while (j < this.steps - 1 && this.startMs + this.endsMs[j] < nowMs) j++;
    if (j + 1 >= this.steps) return NaN;
    this.steps = j + 1;
    this.id++;
    return this.endMs;
  }
}
