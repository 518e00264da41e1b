// Verdicts (ignored / unsupported, with why) for the Dynamo flags, engine keys, environment variables and DGD fields servesim has no scenario key for.
import type { FindingKind } from './dgd-findings.ts';

export type Verdict = [FindingKind, string];
type Rule = Verdict | ((value: unknown, ctx: { attentionDp: boolean; layers: number }) => Verdict);

const NET = 'transport, discovery, naming and endpoints between the frontend and the workers: the simulated hop costs router.decision_overhead_ms';
const METRICS = 'logging, metrics and debugging output';
const CALIBRATED =
  "communication and kernel switches of NCCL / UCX / TensorRT-LLM that servesim does not model one by one; the runs the cost model is calibrated on are the seed's, with the seed DGDs' settings";
const NO_FAILURES = 'request migration and start-up gating: no worker fails or registers late in a simulation';

/** dynamo.frontend flags servesim has no key for (the mapped ones are in dgd-services.ts). */
export const FRONTEND_FLAGS: Record<string, Verdict> = {
  '--http-host': ['ignored', NET],
  '--http-port': ['ignored', NET],
  '--request-plane': ['ignored', NET],
  '--event-plane': ['ignored', NET],
  '--store-kv': ['ignored', NET],
  '--discovery-backend': ['ignored', NET],
  '--namespace': ['ignored', NET],
  '--namespace-prefix': ['ignored', NET],
  '--tls-cert-path': ['ignored', NET],
  '--tls-key-path': ['ignored', NET],
  '--kserve-grpc-server': ['ignored', NET],
  '--grpc-metrics-port': ['ignored', NET],
  '--model-name': ['ignored', 'the served model name'],
  '--model-path': ['ignored', 'the tokenizer and chat template the frontend loads; the trace gives token counts'],
  '--metrics-prefix': ['ignored', METRICS],
  '--dump-config-to': ['ignored', METRICS],
  '--migration-limit': ['ignored', NO_FAILURES],
  '--migration-max-seq-len': ['ignored', NO_FAILURES],
  '--enforce-disagg': ['ignored', NO_FAILURES],
  '--router-min-initial-workers': ['ignored', NO_FAILURES],
  '--router-replica-sync': ['ignored', 'state sharing between router replicas: the simulation has one router'],
  '--router-snapshot-threshold': ['ignored', 'persistence of the router state stream: the simulation has one router'],
  '--router-event-threads': ['ignored', 'indexer threads: the simulated router is instantaneous'],
  '--router-max-tree-size': ['unsupported', "size-based pruning of the approximate prefix index (with --no-kv-events): servesim's index expires by router_ttl_secs only"],
  '--router-prune-target-ratio': ['unsupported', "size-based pruning of the approximate prefix index (with --no-kv-events): servesim's index expires by router_ttl_secs only"],
  '--no-track-active-blocks': ['unsupported', "the KV router without active-block tracking: servesim's router always tracks them"],
  '--no-router-track-active-blocks': ['unsupported', "the KV router without active-block tracking: servesim's router always tracks them"],
  '--router-track-active-blocks': ['ignored', "Dynamo's default, as servesim's KV router does"],
  '--active-prefill-tokens-threshold': ['unsupported', 'busy detection by prefill tokens (only the KV-usage threshold, router.busy_threshold, is modelled)'],
  '--active-prefill-tokens-threshold-frac': ['unsupported', 'busy detection by prefill tokens (only the KV-usage threshold, router.busy_threshold, is modelled)'],
  '--admission-control': ['unsupported', 'router admission control modes are not modelled'],
  '--router-queue-threshold': ['unsupported', 'router-side request queueing is not modelled'],
  '--router-queue-policy': ['unsupported', 'router-side request queueing is not modelled'],
};

/** dynamo.trtllm flags servesim has no key for. */
export const WORKER_FLAGS: Record<string, Verdict> = {
  '--model-path': ['ignored', 'the checkpoint: the scenario `model` (cost model, --model) stands for it'],
  '--model': ['ignored', 'the checkpoint: the scenario `model` (cost model, --model) stands for it'],
  '--served-model-name': ['ignored', 'the served model name'],
  '--request-plane': ['ignored', NET],
  '--event-plane': ['ignored', NET],
  '--store-kv': ['ignored', NET],
  '--discovery-backend': ['ignored', NET],
  '--endpoint': ['ignored', NET],
  '--namespace': ['ignored', NET],
  '--migration-limit': ['ignored', NO_FAILURES],
  '--dump-config-to': ['ignored', METRICS],
  '--custom-jinja-template': ['ignored', 'chat template: the trace gives token counts'],
  '--dyn-reasoning-parser': ['ignored', 'output parsing in the frontend'],
  '--dyn-tool-call-parser': ['ignored', 'output parsing in the frontend'],
  '--endpoint-types': ['ignored', 'the HTTP endpoints registered'],
  '--load-format': ['ignored', 'how weights are loaded at start-up'],
  '--model-loader-extra-config': ['ignored', 'how weights are loaded at start-up'],
  '--enable-local-indexer': ['ignored', 'where the KV index lives; the simulated router reads the same events'],
  '--disaggregation-strategy': [
    'unsupported',
    "prefill_first / decode_first request flow of older Dynamo workers: servesim models the frontend's PrefillRouter flow (prefill routed first, then decode, docs/engine-behaviour.md §4-5)",
  ],
  '--connector': ['unsupported', 'KV cache connectors (KVBM offload) are not modelled'],
  '--conversation-affinity': ['unsupported', 'engine conversation-affinity ADP routing is not modelled'],
  '--enable-sleep': ['unsupported', 'sleep / wake of engines is not modelled'],
  '--enable-multimodal': ['unsupported', 'multimodal requests are not modelled'],
  '--encode-endpoint': ['unsupported', 'encode workers are not modelled'],
  '--guided-decoding-backend': ['ignored', 'structured output: the trace has no schemas'],
  '--gpus-per-node': ['ignored', 'how ranks are laid out on nodes (the GPU count is checked against resources.limits.gpu × multinode.nodeCount)'],
};

/** Boolean flags of both commands (they take no value). */
export const BOOLEAN_FLAGS = new Set([
  '--router-reset-states', '--no-router-reset-states', '--kv-events', '--no-kv-events', '--router-kv-events', '--no-router-kv-events',
  '--router-replica-sync', '--no-track-active-blocks', '--no-router-track-active-blocks', '--router-track-active-blocks', '--enforce-disagg',
  '--kserve-grpc-server', '--interactive', '-i', '--publish-events-and-metrics', '--no-publish-events-and-metrics', '--publish-kv-events',
  '--no-publish-kv-events', '--enable-attention-dp', '--no-enable-attention-dp', '--enable-multimodal', '--conversation-affinity', '--enable-sleep',
  '--enable-local-indexer',
]);

const one = (what: string): Rule => (v) => (v === 1 || v === undefined ? ['ignored', `1: no ${what}, as servesim models`] : ['unsupported', `${what} is not modelled`]);
const zero = (what: string): Rule => (v) => (!v ? ['ignored', `off (0), TensorRT-LLM's default`] : ['unsupported', `${what} is not modelled`]);

/** TensorRT-LLM engine keys (dotted) that are not scenario keys. A key the schema has is always mapped instead. */
export const ENGINE_KEYS: Record<string, Rule> = {
  allreduce_strategy: (_v, c) =>
    c.attentionDp
      ? ['ignored', 'with enable_attention_dp every rank runs attention and the dense layers on its own tokens: no tensor-parallel all-reduce runs']
      : ['unsupported', 'the all-reduce of tensor-parallel attention is not modelled (the op tables are for attention DP)'],
  num_postprocess_workers: ['ignored', "detokenizing processes of trtllm-serve's OpenAI server: Dynamo's worker streams token ids and the frontend detokenizes"],
  print_iter_log: ['ignored', METRICS],
  enable_iter_perf_stats: ['ignored', METRICS],
  return_perf_metrics: ['ignored', METRICS],
  enable_layerwise_nvtx_marker: ['ignored', METRICS],
  iter_stats_max_iterations: ['ignored', METRICS],
  request_stats_max_iterations: ['ignored', METRICS],
  trust_remote_code: ['ignored', 'how the checkpoint is loaded'],
  skip_tokenizer_init: ['ignored', 'how the checkpoint is loaded'],
  load_format: ['ignored', 'how the checkpoint is loaded'],
  backend: (v) => (v === 'pytorch' ? ['ignored', 'the PyTorch backend, which Dynamo runs and servesim models'] : ['unsupported', 'only the PyTorch backend is modelled']),
  pipeline_parallel_size: one('pipeline parallelism'),
  context_parallel_size: one('context parallelism'),
  max_beam_width: one('beam search'),
  gpus_per_node: ['ignored', 'how ranks are laid out on nodes (the GPU count is checked against resources.limits.gpu × multinode.nodeCount)'],
  enable_autotuner: (v) => (v !== false ? ['ignored', 'kernel autotuning at start-up (on: the op tables are for tuned kernels)'] : ['unsupported', 'untuned kernels are not modelled']),
  batch_wait_timeout_ms: zero('waiting to batch context requests'),
  batch_wait_timeout_iters: zero('waiting to batch context requests'),
  batch_wait_max_tokens_ratio: zero('waiting to batch context requests'),
  speculative_config: ['unsupported', 'speculative decoding (MTP, draft models) changes the tokens per decode step: not modelled'],
  'scheduler_config.capacity_scheduler_policy': (v) =>
    v === 'GUARANTEED_NO_EVICT' ? ['ignored', "GUARANTEED_NO_EVICT, TensorRT-LLM's default, as servesim admits"] : ['unsupported', 'only GUARANTEED_NO_EVICT admission is modelled'],
  'scheduler_config.context_chunking_policy': (v) =>
    v === 'FIRST_COME_FIRST_SERVED' ? ['ignored', "FIRST_COME_FIRST_SERVED, TensorRT-LLM's default, as servesim chunks"] : ['unsupported', 'only first-come-first-served chunking is modelled'],
  'attention_dp_config.enable_balance': (v) => (v ? ['unsupported', 'ADP balance (holding back context requests) is not modelled'] : ['ignored', "ADP balance off, TensorRT-LLM's default"]),
  'attention_dp_config.timeout_iters': ['ignored', 'only used with attention_dp_config.enable_balance'],
  'attention_dp_config.batching_wait_iters': ['ignored', 'only used with attention_dp_config.enable_balance'],
  'kv_cache_config.event_buffer_max_size': ['ignored', 'size of the KV event buffer; events reach the router after router.kv_event_delay_ms'],
  'kv_cache_config.enable_partial_reuse': ['unsupported', 'partial-block prefix reuse: servesim reuses whole blocks only'],
  'kv_cache_config.copy_on_partial_reuse': ['unsupported', 'partial-block prefix reuse: servesim reuses whole blocks only'],
  'kv_cache_config.max_tokens': ['unsupported', 'a token cap on the KV pool: servesim sizes it from free_gpu_memory_fraction'],
  'kv_cache_config.host_cache_size': ['unsupported', 'a host-memory KV tier is not modelled'],
  'kv_cache_config.max_attention_window': ['unsupported', 'sliding-window attention is not modelled'],
  'kv_cache_config.sink_token_length': ['unsupported', 'sliding-window attention is not modelled'],
  'moe_config.use_low_precision_moe_combine': [
    'unsupported',
    "low-precision (NVFP4) combine in the MoE all-to-all sends less data per token: servesim's all-to-all op table is for the default combine",
  ],
  'moe_config.max_num_tokens': ['unsupported', 'chunking of the MoE input is not modelled'],
  'moe_config.load_balancer': ['unsupported', 'expert load balancing (EPLB) is not modelled'],
};

export const UNKNOWN_ENGINE_KEY: Verdict = ['unsupported', 'not a TensorRT-LLM setting servesim knows: its effect is not simulated'];

const ENV_IGNORED = new Set([
  'POD_UID', 'POD_NAME', 'POD_NAMESPACE', 'HF_HOME', 'HF_TOKEN', 'HF_HUB_OFFLINE', 'HF_HUB_ENABLE_HF_TRANSFER', 'TRITON_CACHE_DIR', 'NCCL_DEBUG',
  'NCCL_DEBUG_SUBSYS', 'TLLM_LOG_LEVEL', 'NCCL_SOCKET_IFNAME', 'GLOO_SOCKET_IFNAME', 'NCCL_STORE_TIMEOUT', 'ENROOT_ALLOW_DEV', 'PYTHONUNBUFFERED',
  'DYN_LOG', 'DYN_LOGGING_JSONL', 'DYN_SYSTEM_ENABLED', 'DYN_SYSTEM_PORT', 'DYN_HTTP_PORT', 'UCX_LOG_LEVEL', 'CUDA_LAUNCH_BLOCKING_OFF',
]);

/** An environment variable of a frontend or worker container that is not a Dynamo flag's variable. */
export function envVerdict(name: string, value: string | undefined, layers: number): Verdict {
  if (ENV_IGNORED.has(name)) return ['ignored', 'paths, logging, network interfaces and start-up timeouts of the container'];
  if (name === 'TLLM_OVERRIDE_LAYER_NUM') {
    return value === String(layers)
      ? ['ignored', `equals the model's ${layers} layers: no layers are dropped`]
      : ['unsupported', `runs another number of layers than the model's ${layers}: not modelled`];
  }
  if (/^(NCCL|UCX|TRTLLM|TLLM|NVIDIA|CUDA)_|^ENABLE_CONFIGURABLE_MOE$/.test(name)) return ['unsupported', CALIBRATED];
  return ['unsupported', 'not an environment variable servesim knows: its effect is not simulated'];
}

const K8S = 'Kubernetes placement, container image and runtime, probes, secrets and mounts';

/** Fields of a DGD service (and of its extraPodSpec / mainContainer) besides the ones mapped. */
export const SERVICE_FIELDS = new Set([
  'annotations', 'labels', 'serviceName', 'dynamoNamespace', 'globalDynamoNamespace', 'envFromSecret', 'volumeMounts', 'ingress', 'modelRef',
  'sharedMemory', 'extraPodMetadata', 'livenessProbe', 'readinessProbe', 'scalingAdapter', 'autoscaling',
]);
export const POD_FIELDS = new Set([
  'tolerations', 'nodeSelector', 'affinity', 'resourceClaims', 'containers', 'initContainers', 'securityContext', 'imagePullSecrets',
  'serviceAccountName', 'priorityClassName', 'terminationGracePeriodSeconds', 'hostNetwork', 'hostIPC', 'dnsPolicy', 'schedulerName',
  'topologySpreadConstraints', 'runtimeClassName', 'volumes',
]);
export const CONTAINER_FIELDS = new Set([
  'image', 'imagePullPolicy', 'name', 'resources', 'securityContext', 'startupProbe', 'livenessProbe', 'readinessProbe', 'workingDir',
  'ports', 'volumeMounts', 'envFrom', 'lifecycle', 'stdin', 'tty',
]);
export const K8S_REASON = K8S;
