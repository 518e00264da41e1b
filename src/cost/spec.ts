// The cost-model file format (models/*.json): op tables with their sources, memory, architecture, the
// few global calibration parameters and the platforms, as a zod schema.
import { z } from 'zod';

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
    /** KV bytes per token of the attention cache at `kvCacheDtype` (MLA latent, all layers). */
    kvBytesPerToken: pos,
    /** The dtype `kvBytesPerToken` and the attention tables are for. */
    kvCacheDtype: z.enum(['fp8', 'bf16']).default('fp8'),
    /** What kv_cache_config.dtype 'auto' gives for this checkpoint (its kv_cache_quant_algo, else the activation dtype). */
    autoKvCacheDtype: z.enum(['fp8', 'bf16']).default('fp8'),
    /** DSA indexer K cache bytes per token (fp8 whatever the KV dtype). */
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
