// profile_export_aiperf.json's object from a run's evaluated records, whichever way they are held
// (record objects, or the compact columns of a long run): record-metric statistics, AIPerf's derived
// metrics, the error summary, run info and start/end times, in AIPerf's key order.
import { goodputThresholds, METRICS, NS_TO_S } from './aiperf-metrics.ts';
import { PERCENTILES, recordStats } from './aiperf-stats.ts';
import type { AiperfErrorDetails, AiperfErrorSummaryEntry, AiperfJsonExport, AiperfMetricStats, AiperfMetricTag, AiperfRecordMetricTag, AiperfRunInfo } from './aiperf-types.ts';

/** JsonExportData.SCHEMA_VERSION of the newest AIPerf schema documented (docs/reference/json-export-schema.md). */
export const AIPERF_SCHEMA_VERSION = '1.5';

/** JsonExportData's declared fields in declaration order (pydantic dumps these first, then extra keys). */
const JSON_EXPORT_FIELDS = [
  'schema_version', 'aiperf_version', 'benchmark_id',
  'request_throughput', 'request_latency', 'request_count', 'time_to_first_token', 'time_to_second_token', 'inter_token_latency',
  'output_token_throughput', 'output_token_throughput_per_user', 'output_sequence_length', 'input_sequence_length', 'goodput',
  'good_request_count', 'output_token_count', 'reasoning_token_count', 'min_request_timestamp', 'max_response_timestamp',
  'inter_chunk_latency', 'total_output_tokens', 'total_reasoning_tokens', 'benchmark_duration', 'total_isl', 'total_osl',
  'error_request_count', 'error_isl', 'total_error_isl', 'telemetry_data', 'input_config', 'run_info', 'was_cancelled',
  'is_complete', 'incomplete_reason', 'error_summary', 'start_time', 'end_time', 'branch_stats', 'warmup_metrics',
  'pooled_spec_decode_acceptance_histogram',
] as const;

/** What the JSON export needs of the evaluated records (all in AIPerf's processing order). */
export interface EvaluatedSet {
  /** Records, valid ones (no error) and error ones. */
  readonly count: number;
  readonly validCount: number;
  readonly errorCount: number;
  /** A record metric's values over the valid records that have it. */
  series(tag: AiperfRecordMetricTag): ArrayLike<number>;
  /** input_sequence_length of the error records. */
  errorIsl(): ArrayLike<number>;
  /** Sum of the good flags of the valid records. */
  readonly good: number;
  /** Earliest start and latest end of the valid records / of all records, ns (undefined without any). */
  readonly validSpanNs: { minStart: bigint; maxEnd: bigint } | undefined;
  readonly spanNs: { minStart: bigint; maxEnd: bigint } | undefined;
  /** The error records' details, in order. */
  errors(): Iterable<AiperfErrorDetails>;
}

export const display = (tag: AiperfMetricTag, base: number): number => {
  const f = METRICS[tag].toDisplay;
  return f === undefined ? base : base * f;
};

function recordMetricStats(tag: AiperfMetricTag, values: ArrayLike<number>): AiperfMetricStats | undefined {
  const s = recordStats(values);
  if (!s) return undefined;
  const out: AiperfMetricStats = { unit: METRICS[tag].unit, avg: display(tag, s.avg) };
  for (const q of PERCENTILES) out[`p${q}`] = display(tag, s.percentiles[`p${q}`]);
  out.min = display(tag, s.min);
  out.max = display(tag, s.max);
  out.std = display(tag, s.std);
  out.count = s.count;
  out.sum = display(tag, s.sum);
  return out;
}

/** Round half to even (Python's round). */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/**
 * What pydantic writes for datetime.fromtimestamp(ns / NANOS_PER_SECOND): the float seconds split by modf, the
 * fraction rounded half-even to µs, as a naive ISO datetime (AIPerf's is local time; servesim's is UTC).
 */
function isoDateTime(ns: bigint): string {
  const t = Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
  let whole = Math.floor(t);
  let micros = roundHalfEven((t - whole) * 1e6);
  if (micros >= 1_000_000) {
    whole += 1;
    micros -= 1_000_000;
  }
  const base = new Date(whole * 1000).toISOString().slice(0, 19);
  return micros === 0 ? base : `${base}.${String(micros).padStart(6, '0')}`;
}

const sumOf = (xs: ArrayLike<number>): number => {
  let a = 0; // the column store's running sum
  for (let i = 0; i < xs.length; i++) a += xs[i];
  return a;
};

export function jsonOf(ev: EvaluatedSet, info: AiperfRunInfo, recordTags: readonly AiperfRecordMetricTag[]): AiperfJsonExport {
  const metrics: Partial<Record<AiperfMetricTag, AiperfMetricStats>> = {};
  const scalar = (tag: AiperfMetricTag, base: number): void => {
    metrics[tag] = { unit: METRICS[tag].unit, avg: display(tag, base) };
  };
  for (const tag of recordTags) {
    const s = recordMetricStats(tag, ev.series(tag));
    if (s) metrics[tag] = s;
  }
  const errorIsl = ev.errorIsl();
  const errorIslStats = recordMetricStats('error_isl', errorIsl);
  if (errorIslStats) metrics.error_isl = errorIslStats;

  const valid = ev.validCount;
  const errors = ev.errorCount;
  const slosSet = goodputThresholds(info) !== undefined;
  const good = ev.good;
  if (valid > 0) scalar('request_count', valid);
  if (errors > 0) scalar('error_request_count', errors);
  if (slosSet && valid > 0) scalar('good_request_count', good);

  // derived metrics (BaseDerivedMetric._derive_value): only when their inputs exist
  let durationS: number | undefined;
  const span = ev.validSpanNs;
  if (span && span.maxEnd > span.minStart) {
    const durationNs = Number(span.maxEnd - span.minStart);
    scalar('benchmark_duration', durationNs);
    durationS = durationNs * NS_TO_S;
  }
  const isl = ev.series('input_sequence_length');
  const osl = ev.series('output_sequence_length');
  const totalIsl = sumOf(isl);
  const totalOsl = sumOf(osl);
  if (isl.length > 0) scalar('total_isl', totalIsl);
  if (osl.length > 0) scalar('total_osl', totalOsl);
  const outTokens = ev.series('output_token_count');
  if (outTokens.length > 0) scalar('total_output_tokens', sumOf(outTokens));
  if (errorIsl.length > 0) scalar('total_error_isl', sumOf(errorIsl));
  if (durationS !== undefined) {
    scalar('request_throughput', valid / durationS);
    if (osl.length > 0) scalar('output_token_throughput', totalOsl / durationS);
    if (isl.length > 0 && osl.length > 0) scalar('total_token_throughput', (totalIsl + totalOsl) / durationS);
    if (isl.length > 0) scalar('input_token_throughput', totalIsl / durationS);
    if (slosSet) scalar('goodput', good / durationS);
  }
  if (slosSet) scalar('good_request_fraction', ev.count === 0 ? 0 : good / ev.count);
  if (valid > 0) {
    scalar('completed_request_count', valid + errors);
    scalar('request_error_rate', (100.0 * errors) / (valid + errors));
  }

  const summary = new Map<string, AiperfErrorSummaryEntry>();
  for (const e of ev.errors()) {
    const key = JSON.stringify([e.code, e.type, e.message]);
    const entry = summary.get(key);
    if (entry) entry.count += 1;
    else summary.set(key, { error_details: { ...e }, count: 1 });
  }

  const seed = /^\d+$/.test(info.seed) && Number.isSafeInteger(Number(info.seed)) ? Number(info.seed) : undefined;
  const epochNs = info.epochNs ?? 0n;
  const variation = info.variation ?? { label: 'base', index: 0, values: {} };
  const fields: Record<string, unknown> = {
    schema_version: AIPERF_SCHEMA_VERSION,
    benchmark_id: info.benchmarkId,
    ...metrics,
    input_config: info.scenario,
    run_info: {
      benchmark_id: info.benchmarkId,
      sweep_id: info.sweepId,
      random_seed: seed,
      trial: info.trial ?? 0,
      run_label: info.runLabel,
      variation_label: variation.label,
      variation_index: variation.index,
      variation_values: { ...variation.values },
      cli_command: info.commandLine,
    },
    was_cancelled: info.wasCancelled ?? false,
    error_summary: [...summary.values()],
    start_time: ev.spanNs ? isoDateTime(ev.spanNs.minStart) : undefined,
    end_time: ev.spanNs ? isoDateTime(ev.spanNs.maxEnd) : undefined,
  };
  const out: Record<string, unknown> = {};
  for (const k of JSON_EXPORT_FIELDS) if (fields[k] !== undefined) out[k] = fields[k];
  for (const k of Object.keys(fields).filter((k) => !(k in out) && fields[k] !== undefined).sort()) out[k] = fields[k];
  out.servesim = {
    version: info.servesimVersion,
    workload: info.workload,
    seed: info.seed,
    epoch_ns: epochNs,
    clock: 'simulated: every *_ns timestamp is epoch_ns + simulated ns since trace start; start/end times are UTC',
  };
  return out as AiperfJsonExport;
}
