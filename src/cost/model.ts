// Cost model: reads a models/*.json file and answers how long a DEP-group iteration, a KV transfer
// and how many KV blocks a rank holds, from interpolated GB200 op tables and a few global scales.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { inputError } from '../errors.ts';
import { Bilinear2D, Linear1D } from './interp.ts';

const table1 = z.object({ source: z.string().optional() });
const num = z.number().finite();
const pos = z.number().finite().positive();

const parameterSchema = z.object({
  value: num,
  prior: num,
  bounds: z.tuple([num, num]),
  unit: z.string(),
  meaning: z.string(),
});

/** The global parameters calibration may fit; every one must be in the model file. */
export const CALIBRATION_PARAMETERS = [
  'prefillAttentionScale',
  'moeScale',
  'cudaGraphScale',
  'iterationFixedMs',
  'hostOverheadMs',
  'kvTransferGBps',
  'k8sIterationSlowdown',
] as const;
export type CalibrationParameter = (typeof CALIBRATION_PARAMETERS)[number];
export type CalibrationValues = Partial<Record<CalibrationParameter, number>>;

export const calibrationSchema = z.object({
  description: z.string().optional(),
  parameters: z.object(Object.fromEntries(CALIBRATION_PARAMETERS.map((k) => [k, parameterSchema])) as Record<CalibrationParameter, typeof parameterSchema>),
});

export const costModelFileSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  sources: z.record(z.string(), z.string()).optional(),
  architecture: z.object({
    layers: z.number().int().positive(),
    moeLayers: z.number().int().nonnegative(),
    kvBytesPerToken: pos,
    indexerKBytesPerToken: num.nonnegative(),
    /** MLA: the latent KV is one shared head, so tensor-parallel attention keeps all of it on every GPU. */
    kvReplicatedAcrossTp: z.boolean().default(false),
    source: z.string().optional(),
  }),
  memory: z.object({ hbmBytesPerGpu: pos, weightsBytesPerRank: pos, activationReserveBytes: num.nonnegative(), source: z.string().optional() }),
  prefillAttention: table1.extend({ unit: z.string().optional(), extrapolation: z.string().optional(), positionTokens: z.array(num), usPerTokenPerLayer: z.array(pos) }),
  decodeAttention: table1.extend({ unit: z.string().optional(), contextTokens: z.array(num), batch: z.array(num), msPerLayer: z.array(z.array(pos)) }),
  moe: z.object({ unit: z.string().optional(), backends: z.record(z.string(), table1.extend({ globalTokens: z.array(num), msPerLayer: z.array(pos) })) }),
  allToAll: table1.extend({ unit: z.string().optional(), tokensPerRank: z.array(num), msPerLayer: z.array(pos) }),
  dense: table1.extend({ unit: z.string().optional(), msPerToken: num.nonnegative() }),
  kvTransfer: table1.extend({ fixedMs: num.nonnegative(), bytesPerTokenSource: z.string().optional() }),
  calibration: calibrationSchema,
  platforms: z.record(z.string(), z.union([z.string(), z.object({ iterationSlowdown: z.union([pos, z.string()]), roles: z.array(z.string()).optional() })])),
});
export type CostModelFile = z.infer<typeof costModelFileSchema>;

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

  /** Bytes of KV cache one token needs on a rank (MLA latent + DSA indexer K). */
  get kvBytesPerToken(): number {
    return this.spec.architecture.kvBytesPerToken + this.spec.architecture.indexerKBytesPerToken;
  }

  hasMoeBackend(backend: string): boolean {
    return this.moe.has(backend);
  }

  moeBackends(): string[] {
    return [...this.moe.keys()];
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

  /**
   * One lockstep iteration of a DEP group, ms. `cudaGraph`: a decode-only iteration replayed as a
   * captured graph; `overlapScheduler`: the CPU work of the iteration hides behind the GPU.
   */
  iterationMs(shape: StepShape, moeBackend: string, overlapScheduler: boolean, cudaGraph: boolean): number {
    const s = this.spec;
    const p = this.params;
    const moe = this.moe.get(moeBackend);
    if (!moe) throw new Error(`cost model ${s.name} has no MoE backend ${moeBackend}`);
    const moeMs = s.architecture.moeLayers * (moe.at(shape.globalTokens) + this.a2a.at(shape.maxRankTokens)) * p.moeScale;
    const gpuMs = shape.maxAttentionMs + moeMs + s.dense.msPerToken * shape.maxRankTokens;
    return p.iterationFixedMs + (overlapScheduler ? 0 : p.hostOverheadMs) + gpuMs * (cudaGraph ? p.cudaGraphScale : 1);
  }

  /** Prefill→decode KV transfer of a `tokens`-token context, ms. */
  kvTransferMs(tokens: number): number {
    return this.spec.kvTransfer.fixedMs + (tokens * this.kvBytesPerToken) / (this.params.kvTransferGBps * 1e6);
  }

  /** Uniform iteration-time multiplier of a named platform for workers of `role` (1 for an unknown platform). */
  platformSlowdown(platform: string, role: string): number {
    const entry = this.spec.platforms[platform];
    if (entry === undefined || typeof entry === 'string') return 1;
    if (entry.roles && !entry.roles.includes(role)) return 1;
    const v = entry.iterationSlowdown;
    if (typeof v === 'number') return v;
    if (!(CALIBRATION_PARAMETERS as readonly string[]).includes(v)) throw inputError({ field: `platforms.${platform}.iterationSlowdown` }, `unknown calibration parameter ${v}`);
    return this.params[v as CalibrationParameter];
  }

  /** KV blocks a rank can hold: (HBM − weights − reserve) × free fraction / bytes per block. */
  kvCapacityBlocks(freeGpuMemoryFraction: number, tokensPerBlock: number): number {
    const m = this.spec.memory;
    const bytes = (m.hbmBytesPerGpu - m.weightsBytesPerRank - m.activationReserveBytes) * freeGpuMemoryFraction;
    return Math.floor(bytes / (this.kvBytesPerToken * tokensPerBlock));
  }
}

const MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../models');

/** The file of a cost model given by name (models/<name>.json) or by path. */
export function modelFile(nameOrPath: string): string {
  return nameOrPath.endsWith('.json') ? resolve(nameOrPath) : join(MODELS_DIR, `${nameOrPath}.json`);
}

/** Load a cost model by name (models/<name>.json) or by path. */
export function loadCostModel(nameOrPath: string, overrides?: CalibrationValues): CostModel {
  const file = modelFile(nameOrPath);
  if (!existsSync(file)) throw inputError({ field: 'model' }, `no cost model '${nameOrPath}' (looked for ${file})`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw inputError({ file }, `not valid JSON (${(e as Error).message})`);
  }
  const parsed = costModelFileSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw inputError({ file, field: i.path.join('.') }, i.message);
  }
  const spec = parsed.data;
  for (const [k, v] of Object.entries(overrides ?? {})) {
    const param = spec.calibration.parameters[k as CalibrationParameter];
    if (!param) throw inputError({ file, field: `calibration.parameters.${k}` }, 'unknown calibration parameter');
    param.value = v;
  }
  return new CostModel(spec);
}
