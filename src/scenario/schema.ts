// Scenario schema: a deployment described with the TensorRT-LLM engine args and Dynamo flags it
// stands for; unknown keys are errors. Defaults are TensorRT-LLM's / Dynamo's / AIPerf's own.
import * as z from 'zod';

/** A scenario's `model` that names a model file by path (it ends in .json) rather than by name. */
export function isModelPath(model: string): boolean {
  return model.endsWith('.json');
}

const posInt = z.number().int().positive();
const nonNeg = z.number().finite().nonnegative();

export const engineSchema = z.strictObject({
  tensor_parallel_size: posInt.default(1),
  /** No default here: servesim's MoE tables are by expert-parallel size, so a group says its EP size. */
  moe_expert_parallel_size: posInt.optional(),
  enable_attention_dp: z.boolean().default(false),
  max_batch_size: posInt.default(2048),
  max_num_tokens: posInt.default(8192),
  /** Default: the model's max_position_embeddings, as TensorRT-LLM infers it. */
  max_seq_len: posInt.optional(),
  enable_chunked_prefill: z.boolean().default(false),
  disable_overlap_scheduler: z.boolean().default(false),
  stream_interval: posInt.default(1),
  moe_config: z
    .strictObject({
      backend: z.string().default('TRTLLM'),
      /** NVFP4: quantize the all-to-all combine payload (TRT-LLM applies it with attention-DP all-to-all only). */
      use_low_precision_moe_combine: z.boolean().default(false),
      /** EPLB (MoeLoadBalancerConfig): expert slots over the EP group, >= the routed experts. */
      load_balancer: z.strictObject({ num_slots: posInt, layer_updates_per_iter: z.number().int().nonnegative().default(0) }).optional(),
    })
    .default({ backend: 'TRTLLM', use_low_precision_moe_combine: false }),
  /** CUDA graphs for decode-only iterations (TRT-LLM CudaGraphConfig); null disables them. */
  cuda_graph_config: z
    .strictObject({
      /** Captured batch sizes; default: generated from max_batch_size and enable_padding as TRT-LLM does. */
      batch_sizes: z.array(posInt).min(1).optional(),
      /** Largest captured batch (TRT-LLM default 0 → 128), filtered to the engine's max_batch_size. */
      max_batch_size: posInt.optional(),
      /** Round a decode batch up to the next captured size (TRT-LLM default false). */
      enable_padding: z.boolean().default(false),
    })
    .nullable()
    .default({ enable_padding: false }),
  kv_cache_config: z
    .strictObject({
      enable_block_reuse: z.boolean().default(true),
      tokens_per_block: posInt.default(32),
      free_gpu_memory_fraction: z.number().gt(0).lte(1).default(0.9),
      /** TensorRT-LLM accepts auto (the checkpoint's KV dtype), fp8 and nvfp4 (model_loader.py). */
      dtype: z.enum(['auto', 'fp8', 'nvfp4']).default('auto'),
    })
    .default({ enable_block_reuse: true, tokens_per_block: 32, free_gpu_memory_fraction: 0.9, dtype: 'auto' }),
  /** The KV cache transceiver of disaggregated serving (required on prefill and decode workers). */
  cache_transceiver_config: z
    .strictObject({
      /** DEFAULT is NIXL in TensorRT-LLM 1.2+ (kv_cache_transceiver.py _resolve_default_backend). */
      backend: z.enum(['DEFAULT', 'UCX', 'NIXL', 'MPI']),
      /** Tokens one pre-allocated transfer buffer holds (unset: TRTLLM_KVCACHE_TRANSFER_BUFFER_SIZE, 512 MB). */
      max_tokens_in_buffer: posInt.optional(),
    })
    .optional(),
});
export type EngineConfig = z.infer<typeof engineSchema>;

/** Environment variables of the worker processes that change what the engine runs. */
export const workerEnvSchema = z.strictObject({
  /** MoE communication under attention DP; unset, TensorRT-LLM picks NVLINK_ONE_SIDED on MNNVL (WIDEEP: two-sided). */
  TRTLLM_FORCE_COMM_METHOD: z.enum(['NVLINK_ONE_SIDED', 'NVLINK_TWO_SIDED', 'ALLGATHER', 'DEEPEP', 'DEEPEPLOWLATENCY']).optional(),
});
export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export const workerGroupSchema = z.strictObject({
  count: z.number().int().nonnegative(),
  engine: engineSchema,
  env: workerEnvSchema.default({}),
});

export const routerModes = ['kv', 'round-robin', 'random', 'least-loaded'] as const;
/** How round robin reaches DP ranks: rotate over workers and let the engine place the request on a rank, or rotate over (worker, rank) targets. */
export const rrTargets = ['worker', 'dp-rank-interleaved', 'dp-rank-worker-major'] as const;

export const routerSchema = z.strictObject({
  router_mode: z.enum(routerModes).default('round-robin'),
  /** Round-robin granularity (see rrTargets). */
  round_robin_target: z.enum(rrTargets).default('worker'),
  kv_block_size: posInt.default(64),
  kv_overlap_score_weight: nonNeg.default(1),
  router_temperature: nonNeg.default(0),
  router_reset_states: z.boolean().default(false),
  kv_events: z.boolean().default(true),
  router_ttl_secs: z.number().positive().default(120),
  busy_threshold: z.number().gt(0).lte(1).optional(),
  /** How the decode target of a disaggregated request is chosen; unset = as Dynamo does for router_mode
   *  (kv: KV router with overlap weight 0, i.e. least active blocks; otherwise the same mode). */
  decode_router_mode: z.enum(routerModes).optional(),
  /** Delay before a KV event reaches the router (ms). */
  kv_event_delay_ms: nonNeg.default(0),
  /** Router decision overhead per request (ms). */
  decision_overhead_ms: nonNeg.default(0),
});
export type RouterConfig = z.infer<typeof routerSchema>;

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().default(''),
  /** Cost model: a name (models/<model>.json) or the path of a model file (see isModelPath). */
  model: z.string().default('gb200-dsv32-nvfp4-trtllm'),
  platform: z
    .strictObject({
      name: z.string().default('generic'),
      /** What-if multiplier on every iteration time, on top of the platform's calibrated one (models/*.json platforms). */
      iteration_slowdown: z.number().gt(0).default(1),
    })
    .default({ name: 'generic', iteration_slowdown: 1 }),
  client: z
    .strictObject({
      /** AIPERF_HTTP_CONNECTION_LIMIT: connections of ONE AIPerf worker process (its own aiohttp pool). */
      connection_limit: posInt.default(2500),
      /** AIPerf worker processes (--workers-max); requests go to the least-busy one, so the client's
       *  in-flight cap is connection_limit × worker_processes. */
      worker_processes: posInt.default(1),
      /** --request-timeout-seconds, counted from the scheduled send time. */
      request_timeout_seconds: z.number().positive().default(1000),
      /** Goodput SLA (AIPerf --goodput), ms. */
      goodput_ttft_ms: z.number().positive().optional(),
      goodput_itl_ms: z.number().positive().optional(),
      /** --fixed-schedule: send each request at its trace timestamp (AIPerf turns it on for Mooncake traces). */
      fixed_schedule: z.boolean().default(true),
      /** --request-rate, requests/s (open loop; fixed_schedule false). */
      request_rate: z.number().positive().optional(),
      /** --request-rate-mode: exponential (poisson) or equal (constant) gaps. */
      request_rate_mode: z.enum(['poisson', 'constant']).default('poisson'),
      /** --concurrency: closed loop of this many users (without request_rate), or the cap of request-rate mode. */
      concurrency: posInt.optional(),
      /** --request-count: requests to send (default: every request of the trace or workload). */
      request_count: posInt.optional(),
    })
    .default({ connection_limit: 2500, worker_processes: 1, request_timeout_seconds: 1000, fixed_schedule: true, request_rate_mode: 'poisson' }),
  router: routerSchema.default(routerSchema.parse({})),
  workers: z
    .strictObject({
      agg: workerGroupSchema.optional(),
      prefill: workerGroupSchema.optional(),
      decode: workerGroupSchema.optional(),
    }),
  disaggregation: z
    .strictObject({
      /** Which side returns the first token to the client in disaggregated serving. */
      first_token_from: z.enum(['prefill', 'decode']).default('prefill'),
    })
    .default({ first_token_from: 'prefill' }),
});
export type Scenario = z.infer<typeof scenarioSchema>;
