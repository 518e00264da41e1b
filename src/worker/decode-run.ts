// Runs of identical decode-only iterations (same requests, every context one token longer a step)
// are simulated as one event: this times each step of such a run exactly, rank by rank, with each
// rank's decode attention a line in its mean context between table rows.
import type { StepShape } from '../cost/model.ts';
import type { DecodeLine, WorkerCost } from '../cost/worker-cost.ts';

/**
 * Fill `run.endsMs[1 .. steps-1]` with the end of each step relative to the run's start (`endsMs[0]` is
 * the first step, already timed). `decodes[r]` / `context[r]`: requests and mean KV length on rank r
 * at the first step; `shape` carries the run's constant token counts. Ranks are walked one at a time
 * over all steps (each rank's attention is a line between table rows), then each step takes the
 * slowest rank.
 */
export function timeDecodeRun(
  run: StepRun,
  steps: number,
  cost: WorkerCost,
  decodes: readonly number[],
  context: readonly number[],
  shape: StepShape,
  cudaGraph: boolean,
): void {
  const { endsMs, maxAttnMs } = run;
  // the run's token counts are constant: only attention changes from step to step
  const rest = cost.restMs(shape, cudaGraph);
  maxAttnMs.fill(0, 0, steps);
  for (let r = 0; r < decodes.length; r++) {
    const n = decodes[r];
    if (n <= 0) continue;
    const start = context[r];
    const line = cost.decodeAttentionLine(n, start, run.line);
    let anchor = start;
    for (let j = 1; j < steps; j++) {
      const ctx = start + j;
      if (ctx >= line.untilContextTokens) {
        cost.decodeAttentionLine(n, ctx, line);
        anchor = ctx;
      }
      const attn = line.valueMs + line.slopeMs * (ctx - anchor);
      if (attn > maxAttnMs[j]) maxAttnMs[j] = attn;
    }
  }
  for (let j = 1; j < steps; j++) endsMs[j] = endsMs[j - 1] + cost.withAttentionMs(maxAttnMs[j], rest, cudaGraph);
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
  /** Scratch of timeDecodeRun: the slowest rank's attention at each step, ms, and a rank's line. */
  readonly maxAttnMs: Float64Array;
  readonly line: DecodeLine = { valueMs: 0, slopeMs: 0, untilContextTokens: 0 };

  constructor(readonly maxSteps: number) {
    this.endsMs = new Float64Array(maxSteps);
    this.maxAttnMs = new Float64Array(maxSteps);
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
