// Cost model: one models/*.json file (AIC op tables, architecture, weights, memory) with its shared
// calibration (global parameters, platforms). It hands out the interpolated tables by key (built once,
// memoised) and the model-wide pieces (KV transfer, platform slowdowns, MoE roofline); WorkerCost
// binds them to one worker group's parallelism. Every table is read non-decreasing in its keys
// (interp.ts `monotone`). Pure: the files are read by cost/load.ts.
import { inputError } from '../util/errors.ts';
import { didYouMean } from '../util/suggest.ts';
import { Bilinear2D, Cumulative1D, Linear1D, monotone, monotoneGrid } from './interp.ts';
import { CALIBRATION_PARAMETERS, type CalibrationFile, type CalibrationParameter, type CostModelFile, type CurveSpec } from './spec.ts';

/** What the busiest parts of one lockstep iteration look like; the worker fills it per iteration. */
export interface StepShape {
  /** max over ranks of that rank's attention table time (prefill chunks + decode), ms */
  maxAttentionMs: number;
  /** tokens of all ranks in this iteration */
  globalTokens: number;
  /** tokens on the busiest rank */
  maxRankTokens: number;
  /** sequences (decoding requests + prompt chunks) on the rank with the most: the rows of the logits GEMM */
  maxRankSequences: number;
}

export type MoeKernel = 'cutlass' | 'min_latency';
export type A2aMethod = 'NVLinkTwoSided' | 'NVLinkOneSided';
export type A2aOp = 'prepare' | 'dispatch' | 'combine' | 'combineLowPrecision';

export class CostModel {
  /** Parameter values in use. */
  readonly params: Record<CalibrationParameter, number>;
  private readonly memo = new Map<string, unknown>();

  constructor(
    readonly spec: CostModelFile,
    readonly calibration: CalibrationFile,
  ) {
    this.params = Object.fromEntries(CALIBRATION_PARAMETERS.map((k) => [k, calibration.parameters[k].value])) as Record<CalibrationParameter, number>;
  }

  get name(): string {
    return this.spec.name;
  }

  private cached<T>(key: string, make: () => T | undefined): T | undefined {
    if (this.memo.has(key)) return this.memo.get(key) as T | undefined;
    const v = make();
    this.memo.set(key, v);
    return v;
  }

  private linear(key: string, c: CurveSpec | undefined): Linear1D | undefined {
    return this.cached(key, () => (c ? new Linear1D(c.x, monotone(c.ms)) : undefined));
  }

  /** Local attention-head counts with attention tables, descending. */
  attentionHeads(): number[] {
    return Object.keys(this.spec.attention.context.byHeads).map(Number).filter((h) => this.spec.attention.generation.byHeads[h]).sort((a, b) => b - a);
  }

  /** Whole-prompt attention-module time by prompt length (batch 1), ms per layer, `heads` local heads. */
  contextAttention(heads: number): Cumulative1D | undefined {
    const c = this.spec.attention.context.byHeads[heads];
    return this.cached(`ctx:${heads}`, () => (c ? new Cumulative1D(c.x, monotone(c.ms)) : undefined));
  }

  /** Decode-step attention-module time by (KV length, requests), ms per layer; linear past the last batch column. */
  generationAttention(heads: number): Bilinear2D | undefined {
    const g = this.spec.attention.generation.byHeads[heads];
    return this.cached(`gen:${heads}`, () => (g ? new Bilinear2D(g.rows, g.cols, monotoneGrid(g.ms), true) : undefined));
  }

  /** Routed-expert MoE time by tokens reaching a GPU, ms per layer. */
  moe(kernel: MoeKernel, distribution: string, ep: number): Linear1D | undefined {
    return this.linear(`moe:${kernel}:${distribution}:${ep}`, this.spec.moe.kernels[kernel].byDistribution[distribution]?.[ep]);
  }

  /** WideEP expert compute by tokens of the EP group (`slots` null: no load balancer), ms per layer. */
  wideep(slots: number | null, distribution: string, ep: number): Linear1D | undefined {
    const w = this.spec.moe.wideep;
    const c = slots === null ? w.noLoadBalancer[distribution]?.[ep] : w.bySlots[slots]?.[`${distribution}_eplb`]?.[ep];
    return this.linear(`wideep:${slots}:${distribution}:${ep}`, c);
  }

  /** One all-to-all op by tokens per rank, ms per MoE layer. */
  allToAll(method: A2aMethod, op: A2aOp, ep: number): Linear1D | undefined {
    return this.linear(`a2a:${method}:${op}:${ep}`, this.spec.comm.allToAll[method][op]?.[ep]);
  }

  /** NCCL collective by message size (half elements), ms, at a collected fan-out (2 or 4). */
  nccl(op: 'all_gather' | 'reduce_scatter', gpus: number): Linear1D | undefined {
    return this.linear(`nccl:${op}:${gpus}`, this.spec.comm.nccl[op].byGpus[gpus]);
  }

  /** TRT-LLM custom all-reduce by message size (bf16 elements), ms, at a collected fan-out (2 or 4). */
  customAllReduce(gpus: number): Linear1D | undefined {
    return this.linear(`car:${gpus}`, this.spec.comm.customAllReduce.byGpus[gpus]);
  }

  /** One GEMM (`n` x `k`, `dtype`) by m rows, ms. */
  gemm(dtype: string, n: number, k: number): Linear1D | undefined {
    return this.linear(`gemm:${dtype}:${n}x${k}`, this.spec.gemm.byDtype[dtype]?.[`${n}x${k}`]);
  }

  /** The (n, k) shapes the GEMM table has for `dtype`. */
  gemmShapes(dtype: string): Array<[number, number]> {
    return Object.keys(this.spec.gemm.byDtype[dtype] ?? {}).map((s) => s.split('x').map(Number) as [number, number]);
  }

  /**
   * AIC's MoE roofline (rust operators/moe.rs::moe_sol), ms: max of the routed GEMMs' FLOPs at fp4
   * tensor-core rate and their bytes (activations + the weights of the experts that receive tokens)
   * at HBM bandwidth, for `tokens` reaching a GPU holding `localExperts` experts of an EP-`ep` group.
   */
  moeRooflineMs(tokens: number, ep: number, localExperts: number): number {
    const a = this.spec.architecture;
    const r = this.spec.moe.roofline;
    const assigned = tokens * a.topK;
    const flops = (assigned * a.hiddenSize * a.moeInterSize * 3 * 2) / ep;
    const bytes = ((assigned / ep) * a.hiddenSize * 2 + (assigned / ep) * a.moeInterSize * 3 + a.hiddenSize * a.moeInterSize * 3 * Math.min(localExperts, assigned / ep)) * r.weightBytesPerParam;
    return Math.max((flops / r.fp4TcFlops) * 1000, (bytes / r.memBwBytesPerS) * 1000);
  }

  /** An element-wise (memory-bound) op over `bytes`, ms (AIC's query_mem_op). */
  elementwiseMs(bytes: number): number {
    const e = this.spec.elementwise;
    return (bytes / (e.memBwBytesPerS * e.memBwScaling)) * 1000 + e.constantLatencyMs;
  }

  /** Prefill→decode KV transfer of `bytes`, ms. */
  kvTransferMs(bytes: number): number {
    return this.spec.kvTransfer.fixedMs + bytes / (this.params.kvTransferGBps * 1e6);
  }

  /** Named platforms (cluster-level iteration slowdowns). */
  platforms(): string[] {
    return Object.entries(this.calibration.platforms)
      .filter(([, v]) => typeof v !== 'string')
      .map(([k]) => k);
  }

  /** Uniform iteration-time multiplier of named platform `platform` for workers of `role`. */
  platformSlowdown(platform: string, role: string): number {
    const entry = this.calibration.platforms[platform];
    if (entry === undefined || typeof entry === 'string') {
      throw inputError({ field: 'platform.name' }, `unknown platform '${platform}'${didYouMean(platform, this.platforms())} for cost model ${this.name}; known: ${this.platforms().join(', ')}`);
    }
    if (entry.roles && !entry.roles.includes(role)) return 1;
    const v = entry.iterationSlowdown;
    if (typeof v === 'number') return v;
    if (!(CALIBRATION_PARAMETERS as readonly string[]).includes(v)) throw inputError({ field: `platforms.${platform}.iterationSlowdown` }, `unknown calibration parameter ${v}`);
    return this.params[v as CalibrationParameter];
  }
}
