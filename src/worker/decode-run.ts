// Runs of identical decode-only iterations (same requests, every context one token longer a step)
// are simulated as one event: this times each step of such a run exactly, rank by rank, with each
// rank's decode attention a line in its mean context between table rows.
import type { StepShape } from '../cost/model.ts';
import type { DecodeLine, WorkerCost } from '../cost/worker-cost.ts';

/** A rank's attention must exceed every other rank's by this fraction at both ends of a run to be taken as
 *  the slowest at every step (far above the rounding of a line's value, ~1e-16). */
const DOMINANCE_MARGIN = 1e-9;

/**
 * Fill `run.endsMs[1 .. steps-1]` with the end of each step relative to the run's start (`endsMs[0]` is
 * the first step, already timed). `decodes[r]` / `context[r]`: requests and mean KV length on rank r
 * at the first step; `shape` carries the run's constant token counts. Each rank's attention is a line in
 * its context between table rows; each step takes the slowest rank. When no line ends inside the run
 * and one rank is the slowest by a margin at both ends, it is the slowest at every step (lines) and the
 * others are not evaluated step by step; the values are the same either way.
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
  const last = steps - 1;
  // the run's token counts are constant: only attention changes from step to step
  const rest = cost.restMs(shape, cudaGraph);
  const { lineMs, slopeMs, untilTokens } = run.lines(decodes.length);
  let straight = true; // no line ends inside the run
  let top = -1; // the slowest rank at the first step
  let topFirst = -Infinity;
  for (let r = 0; r < decodes.length; r++) {
    if (decodes[r] <= 0) continue;
    const line = cost.decodeAttentionLine(decodes[r], context[r], run.line);
    lineMs[r] = line.valueMs;
    slopeMs[r] = line.slopeMs;
    untilTokens[r] = line.untilContextTokens;
    if (context[r] + last >= line.untilContextTokens) straight = false;
    const first = lineAt(lineMs, slopeMs, context, r, 1);
    if (first > topFirst) (top = r), (topFirst = first);
  }
  if (straight && last >= 1 && (top < 0 || dominates(top, last, decodes, context, lineMs, slopeMs))) {
    for (let j = 1; j < steps; j++) {
      let attn = 0;
      if (top >= 0) {
        const a = lineAt(lineMs, slopeMs, context, top, j);
        if (a > 0) attn = a;
      }
      endsMs[j] = endsMs[j - 1] + cost.withAttentionMs(attn, rest, cudaGraph);
    }
    return;
  }
  maxAttnMs.fill(0, 0, steps);
  for (let r = 0; r < decodes.length; r++) {
    const n = decodes[r];
    if (n <= 0) continue;
    const start = context[r];
    let value = lineMs[r];
    let slope = slopeMs[r];
    let until = untilTokens[r];
    let anchor = start;
    for (let j = 1; j < steps; j++) {
      const ctx = start + j;
      if (ctx >= until) {
        const line = cost.decodeAttentionLine(n, ctx, run.line);
        value = line.valueMs;
        slope = line.slopeMs;
        until = line.untilContextTokens;
        anchor = ctx;
      }
      const attn = value + slope * (ctx - anchor);
      if (attn > maxAttnMs[j]) maxAttnMs[j] = attn;
    }
  }
  for (let j = 1; j < steps; j++) endsMs[j] = endsMs[j - 1] + cost.withAttentionMs(maxAttnMs[j], rest, cudaGraph);
}

/** Rank r's attention at step j of the run, as the step-by-step walk computes it (ctx + j − ctx, not j:
 *  the same rounding as the walk's, so both paths give the same bits). */
function lineAt(lineMs: Float64Array, slopeMs: Float64Array, context: readonly number[], r: number, j: number): number {
  return lineMs[r] + slopeMs[r] * (context[r] + j - context[r]);
}

/** Rank `top`'s line above every other busy rank's by the margin at steps 1 and `last` (so at every step between). */
function dominates(top: number, last: number, decodes: readonly number[], context: readonly number[], lineMs: Float64Array, slopeMs: Float64Array): boolean {
  const a1 = lineAt(lineMs, slopeMs, context, top, 1);
  const aN = lineAt(lineMs, slopeMs, context, top, last);
  for (let r = 0; r < decodes.length; r++) {
    if (r === top || decodes[r] <= 0) continue;
    const b1 = lineAt(lineMs, slopeMs, context, r, 1);
    const bN = lineAt(lineMs, slopeMs, context, r, last);
    const scale = Math.max(Math.abs(a1), Math.abs(aN), Math.abs(b1), Math.abs(bN));
    if (!(a1 - b1 > DOMINANCE_MARGIN * scale && aN - bN > DOMINANCE_MARGIN * scale)) return false;
  }
  return true;
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
  private rankLines = { lineMs: new Float64Array(0), slopeMs: new Float64Array(0), untilTokens: new Float64Array(0) };

  /** Scratch of timeDecodeRun: each rank's line at the run's start. */
  lines(ranks: number): { lineMs: Float64Array; slopeMs: Float64Array; untilTokens: Float64Array } {
    if (this.rankLines.lineMs.length < ranks) this.rankLines = { lineMs: new Float64Array(ranks), slopeMs: new Float64Array(ranks), untilTokens: new Float64Array(ranks) };
    return this.rankLines;
  }

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
