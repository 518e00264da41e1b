// AIPerf's metric definitions and per-record metric computation for the metrics servesim can derive exactly.
// Per record: integer-ns timestamps, base-unit values in AIPerf's formulas, --goodput checks, error details.
// Sources (ai-dynamo/aiperf, src/aiperf/metrics/types/*.py, common/enums/metric_enums.py); see docs/aiperf-outputs.md.
import type {
  AiperfErrorDetails,
  AiperfMetricTag,
  AiperfRecordInput,
  AiperfRecordMetricTag,
  AiperfRunInfo,
} from './aiperf-types.ts';

/** MetricTimeUnit.convert_to: value * (other.per_second / self.per_second), in AIPerf's exact operand order. */
export const NS_TO_MS = 1000 / 1_000_000_000;
export const NS_TO_S = 1 / 1_000_000_000;
export const MS_TO_NS = 1_000_000_000 / 1000;

export type MetricKind = 'record' | 'aggregate' | 'derived';

export interface MetricDef {
  readonly tag: AiperfMetricTag;
  /** AIPerf's header (the CSV "Metric" column before the unit). */
  readonly header: string;
  /** Display unit, as written to every file. */
  readonly unit: string;
  /** Base → display factor; absent when AIPerf stores the metric in its display unit. */
  readonly toDisplay?: number;
  readonly kind: MetricKind;
  /** Type of the per-record value in profile_export.jsonl (record metrics only). */
  readonly value: 'int' | 'float';
  /** MetricFlags.LARGER_IS_BETTER (direction of a --goodput threshold). */
  readonly largerIsBetter: boolean;
}

const def = (
  tag: AiperfMetricTag,
  header: string,
  unit: string,
  kind: MetricKind,
  opts: { toDisplay?: number; value?: 'int' | 'float'; largerIsBetter?: boolean } = {},
): MetricDef => ({ tag, header, unit, kind, value: opts.value ?? 'float', largerIsBetter: opts.largerIsBetter ?? false, ...(opts.toDisplay === undefined ? {} : { toDisplay: opts.toDisplay }) });

/** Every metric the writers emit, keyed by tag. */
export const METRICS: Readonly<Record<AiperfMetricTag, MetricDef>> = {
  time_to_first_token: def('time_to_first_token', 'Time to First Token', 'ms', 'record', { toDisplay: NS_TO_MS }),
  request_latency: def('request_latency', 'Request Latency', 'ms', 'record', { toDisplay: NS_TO_MS }),
  inter_token_latency: def('inter_token_latency', 'Inter Token Latency', 'ms', 'record', { toDisplay: NS_TO_MS }),
  decode_duration: def('decode_duration', 'Decode Duration', 'ms', 'record', { toDisplay: NS_TO_MS }),
  output_token_throughput_per_user: def('output_token_throughput_per_user', 'Output Token Throughput Per User', 'tokens/sec/user', 'record', { largerIsBetter: true }),
  e2e_output_token_throughput: def('e2e_output_token_throughput', 'E2E Output Token Throughput', 'tokens/sec/user', 'record', { largerIsBetter: true }),
  prefill_throughput_per_user: def('prefill_throughput_per_user', 'Prefill Throughput Per User', 'tokens/sec/user', 'record', { largerIsBetter: true }),
  input_sequence_length: def('input_sequence_length', 'Input Sequence Length', 'tokens', 'record', { value: 'int', largerIsBetter: true }),
  output_sequence_length: def('output_sequence_length', 'Output Sequence Length', 'tokens', 'record', { value: 'int', largerIsBetter: true }),
  output_token_count: def('output_token_count', 'Output Token Count', 'tokens', 'record', { value: 'int', largerIsBetter: true }),
  error_isl: def('error_isl', 'Error Input Sequence Length', 'tokens', 'record', { value: 'int', largerIsBetter: true }),
  request_count: def('request_count', 'Request Count', 'requests', 'aggregate', { largerIsBetter: true }),
  error_request_count: def('error_request_count', 'Error Request Count', 'requests', 'aggregate'),
  good_request_count: def('good_request_count', 'Good Request Count', 'requests', 'aggregate', { value: 'int' }),
  benchmark_duration: def('benchmark_duration', 'Benchmark Duration', 'sec', 'derived', { toDisplay: NS_TO_S }),
  request_throughput: def('request_throughput', 'Request Throughput', 'requests/sec', 'derived', { largerIsBetter: true }),
  output_token_throughput: def('output_token_throughput', 'Output Token Throughput', 'tokens/sec', 'derived', { largerIsBetter: true }),
  total_token_throughput: def('total_token_throughput', 'Total Token Throughput', 'tokens/sec', 'derived', { largerIsBetter: true }),
  input_token_throughput: def('input_token_throughput', 'Input Token Throughput', 'tokens/sec', 'derived', { largerIsBetter: true }),
  goodput: def('goodput', 'Goodput', 'requests/sec', 'derived'),
  good_request_fraction: def('good_request_fraction', 'GoodRequestFraction', 'ratio', 'derived', { largerIsBetter: true }),
  total_isl: def('total_isl', 'Total Input Sequence Length', 'tokens', 'derived', { largerIsBetter: true }),
  total_osl: def('total_osl', 'Total Output Sequence Length', 'tokens', 'derived', { largerIsBetter: true }),
  total_output_tokens: def('total_output_tokens', 'Total Output Tokens', 'tokens', 'derived', { largerIsBetter: true }),
  total_error_isl: def('total_error_isl', 'Total Error Input Sequence Length', 'tokens', 'derived', { largerIsBetter: true }),
  completed_request_count: def('completed_request_count', 'Completed Requests (Success + Error)', 'requests', 'derived'),
  request_error_rate: def('request_error_rate', 'Request Error Rate', '%', 'derived'),
};

/** Record metrics of a valid record, in AIPerf's dependency order (the key order of a JSONL "metrics" object). */
export const VALID_RECORD_METRICS: readonly AiperfRecordMetricTag[] = [
  'input_sequence_length',
  'time_to_first_token',
  'request_latency',
  'output_token_count',
  'output_sequence_length',
  'inter_token_latency',
  'decode_duration',
  'output_token_throughput_per_user',
  'e2e_output_token_throughput',
  'prefill_throughput_per_user',
];

/** What AIPerf records for a request cut off by --request-timeout-seconds: aiohttp's total ClientTimeout raises a bare
 * TimeoutError, stored by ErrorDetails.from_exception (type = class name, message = repr, no HTTP code). */
export const TIMEOUT_ERROR: Readonly<AiperfErrorDetails> = Object.freeze({ code: null, type: 'TimeoutError', message: 'TimeoutError()' });

/** What AIPerf records for a non-2xx response: code = HTTP status, type = reason phrase, message = response body. Dynamo
 * answers a prompt over the context limit with 400; servesim writes its own refusal reason as the body. */
export function rejectedError(reason: string | undefined): AiperfErrorDetails {
  return { code: 400, type: 'Bad Request', message: reason ?? '' };
}

/** One request after AIPerf's record processing. */
export interface EvaluatedRecord {
  readonly input: AiperfRecordInput;
  readonly startNs: bigint;
  readonly endNs: bigint;
  /** Base-unit values (ns, tokens, tokens/sec/user) of valid records, keys in VALID_RECORD_METRICS order. */
  readonly values: Partial<Record<AiperfRecordMetricTag, number>>;
  /** 1 / 0 when --goodput thresholds are set (valid records only). */
  readonly good?: number;
  readonly error?: AiperfErrorDetails;
}

/** Virtual ms → integer ns since virtual 0 (nearest ns). */
export function msToNs(ms: number): number {
  return Math.round(ms * 1e6);
}

function check(cond: boolean, r: AiperfRecordInput, what: string): void {
  if (!cond) throw new RangeError(`request ${r.id}: ${what}`);
}

/** --goodput thresholds converted to base units (GoodRequestCountMetric.set_slos). */
export function goodputThresholds(info: AiperfRunInfo): Map<AiperfRecordMetricTag, number> | undefined {
  const slos = info.goodput;
  if (!slos) return undefined;
  const out = new Map<AiperfRecordMetricTag, number>();
  for (const tag of VALID_RECORD_METRICS) {
    const v = slos[tag];
    if (v === undefined) continue;
    if (!Number.isFinite(v)) throw new RangeError(`goodput ${tag}: ${v} is not a number`);
    out.set(tag, METRICS[tag].toDisplay === NS_TO_MS ? v * MS_TO_NS : v);
  }
  for (const tag of Object.keys(slos)) if (!out.has(tag as AiperfRecordMetricTag)) throw new RangeError(`goodput: unknown metric tag ${tag}`);
  return out.size > 0 ? out : undefined;
}

/** AIPerf's record processing of one request (metric formulas of src/aiperf/metrics/types/*.py). */
export function evaluateRecord(r: AiperfRecordInput, epochNs: bigint, slos: Map<AiperfRecordMetricTag, number> | undefined): EvaluatedRecord {
  check(Number.isFinite(r.scheduledMs) && Number.isFinite(r.endMs), r, 'scheduledMs and endMs must be finite');
  check(Number.isInteger(r.inputTokens) && r.inputTokens >= 0 && Number.isInteger(r.outputTokens) && r.outputTokens >= 0, r, 'token counts must be non-negative integers');
  const start = msToNs(r.scheduledMs);
  const startNs = epochNs + BigInt(start);
  if (r.status !== 'completed') {
    return {
      input: r,
      startNs,
      endNs: epochNs + BigInt(msToNs(r.endMs)),
      values: {},
      error: r.status === 'timed-out' ? TIMEOUT_ERROR : rejectedError(r.reason),
    };
  }
  check(Number.isFinite(r.ttftMs) && Number.isFinite(r.e2elMs) && r.ttftMs >= 0 && r.e2elMs >= r.ttftMs, r, 'a completed request needs 0 <= ttftMs <= e2elMs');
  // perf_counter_ns differences, as AIPerf takes them (first / last content response − request start)
  const ttft = msToNs(r.scheduledMs + r.ttftMs) - start;
  const latency = msToNs(r.scheduledMs + r.e2elMs) - start;
  const isl = r.inputTokens;
  const osl = r.outputTokens; // no separate reasoning tokens: output_token_count = OSL
  const v: Partial<Record<AiperfRecordMetricTag, number>> = {};
  v.input_sequence_length = isl;
  v.time_to_first_token = ttft;
  v.request_latency = latency;
  v.output_token_count = osl;
  v.output_sequence_length = osl;
  if (osl >= 2) v.inter_token_latency = (latency - ttft) / (osl - 1);
  v.decode_duration = latency - ttft;
  if (v.inter_token_latency !== undefined && v.inter_token_latency * NS_TO_S !== 0) {
    v.output_token_throughput_per_user = 1 / (v.inter_token_latency * NS_TO_S);
  }
  if (latency * NS_TO_S !== 0) v.e2e_output_token_throughput = osl / (latency * NS_TO_S);
  if (ttft * NS_TO_S !== 0) v.prefill_throughput_per_user = isl / (ttft * NS_TO_S);

  let good: number | undefined;
  if (slos) {
    good = 1;
    for (const [tag, threshold] of slos) {
      const x = v[tag];
      const pass = x !== undefined && (METRICS[tag].largerIsBetter ? x >= threshold : x <= threshold);
      if (!pass) {
        good = 0;
        break;
      }
    }
  }
  return { input: r, startNs, endNs: startNs + BigInt(latency), values: v, ...(good === undefined ? {} : { good }) };
}

/** AIPerf processes records as they finish: by end time, then id (deterministic). */
export function processingOrder(a: EvaluatedRecord, b: EvaluatedRecord): number {
  return a.endNs < b.endNs ? -1 : a.endNs > b.endNs ? 1 : a.input.id - b.input.id;
}
