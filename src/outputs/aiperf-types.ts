// Input and output shapes of the AIPerf-compatible writers (no logic): what a servesim run must hand over, and the three files.
//
// Input fields used, per request (structural: servesim's RequestRecord satisfies AiperfRecordInput as is):
//   id, status, scheduledMs, endMs, inputTokens, outputTokens, ttftMs, e2elMs  (required)
//   reason, sessionNum, turnIndex, conversationId, clientWorkerId         (optional)
// Per run: scenario, seed, commandLine, servesimVersion, workload (required); epochNs, benchmarkId, runLabel, trial,
// variation, sweepId, goodput, wasCancelled (optional). Nothing is imported from src/metrics (being refactored).

/** How a simulated request ended (servesim's RequestStatus). */
export type AiperfRequestStatus = 'completed' | 'timed-out' | 'rejected';

/** One simulated request, on servesim's virtual clock (ms, 0 = trace start). */
export interface AiperfRecordInput {
  /** Trace index; written as request_num and (single-turn) session_num. */
  readonly id: number;
  readonly status: AiperfRequestStatus;
  /** When the client issued the request (its trace timestamp), ms. AIPerf's request_start_ns. */
  readonly scheduledMs: number;
  /** When the request ended: last token, time-out cut-off or rejection, ms. request_end_ns of error records. */
  readonly endMs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** First token − scheduled, ms; read for completed requests only (NaN otherwise). */
  readonly ttftMs: number;
  /** Last token − scheduled, ms; read for completed requests only (NaN otherwise). */
  readonly e2elMs: number;
  /** Why the server refused a rejected request; becomes error.message. */
  readonly reason?: string;
  /** Multi-turn: session index (default: id) and turn index (default 0); conversation id if the trace has one. */
  readonly sessionNum?: number;
  readonly turnIndex?: number;
  readonly conversationId?: string;
  /** Which simulated client process sent it (AIPerf worker_id); default "servesim-client". */
  readonly clientWorkerId?: string;
}

/** Metric tags whose per-record value servesim computes; usable as AIPerf --goodput SLO keys. */
export type AiperfRecordMetricTag =
  | 'time_to_first_token'
  | 'request_latency'
  | 'inter_token_latency'
  | 'decode_duration'
  | 'output_token_throughput_per_user'
  | 'e2e_output_token_throughput'
  | 'prefill_throughput_per_user'
  | 'input_sequence_length'
  | 'output_sequence_length'
  | 'output_token_count';

/** Every metric tag the writers can emit. */
export type AiperfMetricTag =
  | AiperfRecordMetricTag
  | 'error_isl'
  | 'request_count'
  | 'error_request_count'
  | 'good_request_count'
  | 'benchmark_duration'
  | 'request_throughput'
  | 'output_token_throughput'
  | 'total_token_throughput'
  | 'input_token_throughput'
  | 'goodput'
  | 'good_request_fraction'
  | 'total_isl'
  | 'total_osl'
  | 'total_output_tokens'
  | 'total_error_isl'
  | 'completed_request_count'
  | 'request_error_rate';

/** One run: what AIPerf would know from its command line and environment. */
export interface AiperfRunInfo {
  /** The resolved scenario object, written verbatim as input_config. */
  readonly scenario: unknown;
  /** servesim --seed (a string); also written as run_info.random_seed when it is a non-negative integer. */
  readonly seed: string;
  /** The servesim command line; run_info.cli_command. */
  readonly commandLine: string;
  readonly servesimVersion: string;
  /** Workload label (trace file name or built-in workload). */
  readonly workload: string;
  /** Wall-clock ns of virtual time 0 (trace start). Default 0n: timestamps are ns since trace start. */
  readonly epochNs?: bigint;
  /** benchmark_id / run_info.benchmark_id (AIPerf uses a UUID per run); omitted when absent. */
  readonly benchmarkId?: string;
  readonly runLabel?: string;
  /** Trial index within a variation (default 0). */
  readonly trial?: number;
  /** Sweep cell (default: label "base", index 0, no values) and sweep id. */
  readonly variation?: { readonly label: string; readonly index: number; readonly values: Readonly<Record<string, unknown>> };
  readonly sweepId?: string;
  /** AIPerf --goodput thresholds by metric tag, in display units (ms, tokens, tokens/sec/user). */
  readonly goodput?: Readonly<Partial<Record<AiperfRecordMetricTag, number>>>;
  /** The run was interrupted (AIPerf was_cancelled); default false. */
  readonly wasCancelled?: boolean;
}

/** AIPerf JsonMetricResult (export_models.py): record metrics carry every field, aggregate/derived ones unit + avg. */
export interface AiperfMetricStats {
  unit: string;
  avg: number;
  p1?: number;
  p5?: number;
  p10?: number;
  p25?: number;
  p50?: number;
  p75?: number;
  p90?: number;
  p95?: number;
  p99?: number;
  min?: number;
  max?: number;
  std?: number;
  count?: number;
  sum?: number;
}

/** AIPerf ErrorDetails as servesim writes it (code, type, message). */
export interface AiperfErrorDetails {
  code: number | null;
  type: string;
  message: string;
}

export interface AiperfErrorSummaryEntry {
  error_details: AiperfErrorDetails;
  count: number;
}

/** AIPerf RunInfo (export_models.py, schema 1.2+). */
export interface AiperfJsonRunInfo {
  benchmark_id?: string;
  sweep_id?: string;
  random_seed?: number;
  trial: number;
  run_label?: string;
  variation_label: string;
  variation_index: number;
  variation_values: Record<string, unknown>;
  cli_command: string;
}

/** Provenance block servesim adds (JsonExportData allows extra keys; AIPerf readers skip keys without "unit"). */
export interface AiperfServesimInfo {
  version: string;
  workload: string;
  seed: string;
  epoch_ns: bigint;
  clock: string;
}

/** profile_export_aiperf.json. Keys are inserted in AIPerf's JsonExportData order; metrics are top-level keys. */
export type AiperfJsonExport = {
  schema_version: string;
  benchmark_id?: string;
  input_config: unknown;
  run_info: AiperfJsonRunInfo;
  was_cancelled: boolean;
  error_summary: AiperfErrorSummaryEntry[];
  start_time?: string;
  end_time?: string;
  servesim: AiperfServesimInfo;
} & { [tag in AiperfMetricTag]?: AiperfMetricStats };

/** AIPerf MetricValue: a per-record value in its display unit. */
export interface AiperfMetricValue {
  value: number;
  unit: string;
}

/** AIPerf MetricRecordMetadata: the fields servesim can fill (None fields are omitted, as AIPerf's writer does). */
export interface AiperfRecordMetadata {
  request_num: number;
  session_num: number;
  conversation_id?: string;
  turn_index: number;
  request_start_ns: bigint;
  request_end_ns: bigint;
  worker_id: string;
  record_processor_id: string;
  benchmark_phase: 'profiling';
}

/** One line of profile_export.jsonl (AIPerf MetricRecordInfo at --export-level records). */
export interface AiperfRecordLine {
  metadata: AiperfRecordMetadata;
  metrics: Partial<Record<AiperfMetricTag, AiperfMetricValue>>;
  error?: AiperfErrorDetails;
}
