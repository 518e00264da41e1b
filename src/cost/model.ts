// Cost model: a models/*.json file's interpolated GB200 op tables and global scales, answering how
// long attention, MoE and a lockstep DEP-group iteration take and how many KV blocks a rank holds.
// Pure: the file is read by cost/load.ts; WorkerCost binds it to one worker group's settings.
import { inputError } from '../util/errors.ts';
import { didYouMean } from '../util/suggest.ts';
import { Bilinear2D, Linear1D } from './interp.ts';
import { CALIBRATION_PARAMETERS, type CalibrationParameter, type CostModelFile } from './spec.ts';

/** What the busiest parts of one lockstep iteration look like; the worker fills it per iteration. */
export interface StepShape {
  /** max over ranks of that rank's attention time (prefill chunks + decode), ms */
  maxAttentionMs: number;
  /** tokens of all ranks in this iteration */
  globalTokens: number;
  /** tokens on the busiest rank */
  maxRankTokens: number;
}

export class CostModel {
  private readonly prefillAttn: Linear1D;
  private readonly decodeAttn: Bilinear2D;
  private readonly moe: Map<string, Linear1D>;
  private readonly a2a: Linear1D;

  /** Parameter values in use. */
  readonly params: Record<CalibrationParameter, number>;

  constructor(readonly spec: CostModelFile) {
    this.params = Object.fromEntries(CALIBRATION_PARAMETERS.map((k) => [k, spec.calibration.parameters[k].value])) as Record<CalibrationParameter, number>;
    const p = spec.prefillAttention;
    this.prefillAttn = new Linear1D(p.positionTokens, p.usPerTokenPerLayer);
    const d = spec.decodeAttention;
    this.decodeAttn = new Bilinear2D(d.contextTokens, d.batch, d.msPerLayer);
    this.moe = new Map(Object.entries(spec.moe.backends).map(([k, t]) => [k, new Linear1D(t.globalTokens, t.msPerLayer)]));
    this.a2a = new Linear1D(spec.allToAll.tokensPerRank, spec.allToAll.msPerLayer);
  }

  get name(): string {
    return this.spec.name;
  }

  moeBackends(): string[] {
    return [...this.moe.keys()];
  }

  /** Named platforms (cluster-level iteration slowdowns). */
  platforms(): string[] {
    return Object.entries(this.spec.platforms)
      .filter(([, v]) => typeof v !== 'string')
      .map(([k]) => k);
  }

  /** Attention of a prefill chunk of `newTokens` starting at context position `startTokens`, ms, one rank. */
  prefillAttentionMs(startTokens: number, newTokens: number): number {
    const us = this.prefillAttn.integralTo(startTokens + newTokens) - this.prefillAttn.integralTo(startTokens);
    return (us / 1000) * this.spec.architecture.layers * this.params.prefillAttentionScale;
  }

  /** Attention of one decode step for `requests` requests of mean KV length `meanContextTokens`, ms, one rank. */
  decodeAttentionMs(requests: number, meanContextTokens: number): number {
    if (requests <= 0) return 0;
    return this.decodeAttn.at(meanContextTokens, requests) * this.spec.architecture.layers;
  }

  /**
   * Decode attention of `requests` requests as a line in their mean context: valueMs at
   * `meanContextTokens`, slopeMs per extra context token, exact up to `untilContextTokens`.
   */
  decodeAttentionLine(requests: number, meanContextTokens: number): { valueMs: number; slopeMs: number; untilContextTokens: number } {
    const layers = this.spec.architecture.layers;
    const l = this.decodeAttn.lineAlongRows(meanContextTokens, requests);
    return { valueMs: l.valueAt * layers, slopeMs: l.slope * layers, untilContextTokens: l.untilR };
  }

  /** The MoE table of `backend`, or an InputError at `field` listing the backends the model has. */
  moeTable(backend: string, field: string): Linear1D {
    const t = this.moe.get(backend);
    if (!t) throw inputError({ field }, `cost model ${this.name} has no data for MoE backend '${backend}'${didYouMean(backend, this.moeBackends())}; supported: ${this.moeBackends().join(', ')}`);
    return t;
  }

  /**
   * One lockstep iteration of a DEP group, ms. `cudaGraph`: a decode-only iteration replayed as a
   * captured graph; `overlapScheduler`: the CPU work of the iteration hides behind the GPU.
   */
  iterationMs(shape: StepShape, moe: Linear1D, overlapScheduler: boolean, cudaGraph: boolean): number {
    const s = this.spec;
    const p = this.params;
    const moeMs = s.architecture.moeLayers * (moe.at(shape.globalTokens) + this.a2a.at(shape.maxRankTokens)) * p.moeScale;
    const gpuMs = shape.maxAttentionMs + moeMs + s.dense.msPerToken * shape.maxRankTokens;
    return p.iterationFixedMs + (overlapScheduler ? 0 : p.hostOverheadMs) + gpuMs * (cudaGraph ? p.cudaGraphScale : 1);
  }

  /** Prefill→decode KV transfer of `bytes`, ms. */
  kvTransferMs(bytes: number): number {
    return this.spec.kvTransfer.fixedMs + bytes / (this.params.kvTransferGBps * 1e6);
  }

  /** Uniform iteration-time multiplier of named platform `platform` for workers of `role`. */
  platformSlowdown(platform: string, role: string): number {
    const entry = this.spec.platforms[platform];
    if (entry === undefined || typeof entry === 'string') {
      throw inputError({ field: 'platform.name' }, `unknown platform '${platform}'${didYouMean(platform, this.platforms())} for cost model ${this.name}; known: ${this.platforms().join(', ')}`);
    }
    if (entry.roles && !entry.roles.includes(role)) return 1;
    const v = entry.iterationSlowdown;
    if (typeof v === 'number') return v;
    if (!(CALIBRATION_PARAMETERS as readonly string[]).includes(v)) throw inputError({ field: `platforms.${platform}.iterationSlowdown` }, `unknown calibration parameter ${v}`);
    return this.params[v as CalibrationParameter];
  }

  /** KV blocks a GPU can hold: (HBM − weights − reserve − transfer buffers) × free fraction / bytes per block
   *  (TRT-LLM estimate_max_kv_cache_tokens counts the transceiver's pre-allocated buffers as used memory). */
  kvCapacityBlocks(freeGpuMemoryFraction: number, bytesPerToken: number, tokensPerBlock: number, transferBufferBytes = 0): number {
    const m = this.spec.memory;
    const bytes = (m.hbmBytesPerGpu - m.weightsBytesPerRank - m.activationReserveBytes - transferBufferBytes) * freeGpuMemoryFraction;
    return Math.floor(bytes / (bytesPerToken * tokensPerBlock));
  }
}
