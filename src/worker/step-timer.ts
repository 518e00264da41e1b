// How long a worker's next iteration takes: a decode-only step replays a CUDA graph (ranks padded to
// its batch) or runs eagerly, where idle attention-DP ranks still run a dummy request through the
// shared MoE; a decode-only batch with nothing waiting repeats until its first request produces its
// last token (or something arrives), so every step of the run is timed and one event scheduled.
import type { StepShape } from '../cost/model.ts';
import type { WorkerCost } from '../cost/worker-cost.ts';
import type { RequestView } from '../protocol/router.ts';
import type { Batch } from './batch.ts';
import { replayShape, type CudaGraphs } from './cuda-graph.ts';
import { timeDecodeRun, type StepRun } from './decode-run.ts';

export class StepTimer<R extends RequestView> {
  /** The shape of the iteration being timed (reused). */
  private readonly shape: StepShape = { maxAttentionMs: 0, globalTokens: 0, maxRankTokens: 0, maxRankSequences: 0 };

  constructor(
    private readonly run: StepRun,
    private readonly graphs: CudaGraphs,
    private readonly cost: WorkerCost,
    private readonly ranks: number,
  ) {}

  /** A response-only executor loop starting at `nowMs`: its end. */
  hostLoop(nowMs: number): number {
    this.run.endsMs[0] = this.cost.hostLoopMs;
    return this.run.begin(nowMs, 1, 0);
  }

  /** The iteration of batch `b` starting at `nowMs` (a run of decode steps if `canRun`): its first end. */
  step(nowMs: number, b: Batch<R>, canRun: boolean): number {
    const graph = b.prefillTokens === 0 ? this.graphs.replayBatch(b.decodes) : 0;
    const ranks = this.ranks;
    const shape = this.shape;
    if (graph > 0) replayShape(b.maxAttentionMs, graph, ranks, shape);
    else {
      shape.maxAttentionMs = b.maxAttentionMs;
      shape.globalTokens = b.globalTokens + (ranks > 1 ? b.idleRanks : 0);
      shape.maxRankTokens = b.maxRankTokens;
      shape.maxRankSequences = Math.max(b.maxRankSequences, ranks > 1 && b.idleRanks > 0 ? 1 : 0);
    }
    const ends = this.run.endsMs;
    ends[0] = this.cost.iterationMs(shape, graph > 0);
    let steps = 1;
    if (canRun) {
      steps = this.run.maxSteps;
      for (let i = 0; i < b.inFlightCount; i++) steps = Math.min(steps, b.inFlight[i].req.outputTokens - b.inFlight[i].generatedTokens);
      timeDecodeRun(this.run, steps, this.cost, b.decodes, b.context, shape, graph > 0);
    }
    return this.run.begin(nowMs, Math.max(1, steps), b.prefillTokens > 0 ? ends[0] : 0);
  }
}
