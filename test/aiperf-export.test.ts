// Covers the AIPerf-compatible exports: field names, units and statistics against AIPerf's schema, statistics recomputed from the per-request lines, error records, byte-level formats, and a stdlib-python reader.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantileSorted } from 'd3-array';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AIPERF_FILES,
  aiperfCsv,
  aiperfFiles,
  aiperfJson,
  aiperfJsonText,
  aiperfRecordLines,
  aiperfRecords,
  type AiperfRecordInput,
  type AiperfRunInfo,
} from '../src/outputs/aiperf.ts';
import { formatPyFixed2, formatPyFloat } from '../src/outputs/aiperf-format.ts';
import { numpyStd, numpySum } from '../src/outputs/aiperf-stats.ts';

// ---- AIPerf's schema, copied from its source (ai-dynamo/aiperf) ----

/** src/aiperf/common/models/export_models.py, JsonMetricResult (schema 1.1+), field order. */
const JSON_METRIC_RESULT_FIELDS = ['unit', 'avg', 'p1', 'p5', 'p10', 'p25', 'p50', 'p75', 'p90', 'p95', 'p99', 'min', 'max', 'std', 'count', 'sum'];
/** Same file, JsonExportData declared fields (schema 1.4), in declaration order. */
const JSON_EXPORT_DATA_FIELDS = [
  'schema_version', 'aiperf_version', 'benchmark_id', 'request_throughput', 'request_latency', 'request_count',
  'time_to_first_token', 'time_to_second_token', 'inter_token_latency', 'output_token_throughput',
  'output_token_throughput_per_user', 'output_sequence_length', 'input_sequence_length', 'goodput', 'good_request_count',
  'output_token_count', 'reasoning_token_count', 'min_request_timestamp', 'max_response_timestamp', 'inter_chunk_latency',
  'total_output_tokens', 'total_reasoning_tokens', 'benchmark_duration', 'total_isl', 'total_osl', 'error_request_count',
  'error_isl', 'total_error_isl', 'telemetry_data', 'input_config', 'run_info', 'was_cancelled', 'is_complete',
  'incomplete_reason', 'error_summary', 'start_time', 'end_time', 'branch_stats', 'warmup_metrics',
  'pooled_spec_decode_acceptance_histogram',
];
/** Same file, RunInfo fields. */
const RUN_INFO_FIELDS = ['benchmark_id', 'sweep_id', 'random_seed', 'trial', 'run_label', 'variation_label', 'variation_index', 'variation_values', 'cli_command'];
/** src/aiperf/common/metric_records_wire.py, MetricRecordMetadata fields (required ones marked by AIPerf without default). */
const RECORD_METADATA_FIELDS = [
  'request_num', 'session_num', 'x_request_id', 'x_correlation_id', 'conversation_id', 'turn_index', 'credit_issued_ns',
  'credit_received_ns', 'request_start_ns', 'request_ack_ns', 'request_end_ns', 'worker_id', 'record_processor_id',
  'benchmark_phase', 'was_cancelled', 'cancellation_time_ns', 'clock_offset_ns',
];
const RECORD_METADATA_REQUIRED = ['session_num', 'request_start_ns', 'request_end_ns', 'worker_id', 'record_processor_id', 'benchmark_phase'];
/** src/aiperf/common/models/error_models.py, ErrorDetails: the fields servesim writes. */
const ERROR_DETAILS_FIELDS = ['code', 'type', 'message'];
/** Display units: src/aiperf/metrics/types/*.py (unit / display_unit) and common/enums/metric_enums.py (unit tags). */
const AIPERF_UNITS: Record<string, string> = {
  time_to_first_token: 'ms', request_latency: 'ms', inter_token_latency: 'ms', decode_duration: 'ms',
  output_token_throughput_per_user: 'tokens/sec/user', e2e_output_token_throughput: 'tokens/sec/user',
  prefill_throughput_per_user: 'tokens/sec/user', input_sequence_length: 'tokens', output_sequence_length: 'tokens',
  output_token_count: 'tokens', error_isl: 'tokens', request_count: 'requests', error_request_count: 'requests',
  good_request_count: 'requests', benchmark_duration: 'sec', request_throughput: 'requests/sec',
  output_token_throughput: 'tokens/sec', total_token_throughput: 'tokens/sec', input_token_throughput: 'tokens/sec',
  goodput: 'requests/sec', good_request_fraction: 'ratio', total_isl: 'tokens', total_osl: 'tokens',
  total_output_tokens: 'tokens', total_error_isl: 'tokens', completed_request_count: 'requests', request_error_rate: '%',
};
/** Record (distribution) metrics; the rest are aggregate/derived scalars (metrics-reference.md, "Type"). */
const RECORD_METRICS = [
  'time_to_first_token', 'request_latency', 'inter_token_latency', 'decode_duration', 'output_token_throughput_per_user',
  'e2e_output_token_throughput', 'prefill_throughput_per_user', 'input_sequence_length', 'output_sequence_length',
  'output_token_count', 'error_isl',
];
/** src/aiperf/common/constants.py STAT_KEYS: the CSV columns after "Metric". */
const CSV_HEADER = 'Metric,avg,min,max,sum,p1,p5,p10,p25,p50,p75,p90,p95,p99,std';

// ---- a handful of hand-made requests ----

const done = (id: number, scheduledMs: number, ttftMs: number, e2elMs: number, inputTokens: number, outputTokens: number): AiperfRecordInput => ({
  id, status: 'completed', scheduledMs, endMs: scheduledMs + e2elMs, inputTokens, outputTokens, ttftMs, e2elMs,
});
const RECORDS: AiperfRecordInput[] = [
  done(0, 0, 500.125, 1500.25, 1000, 11),
  done(1, 100, 900, 900, 2000, 1), // one output token: no ITL, no TPS/user
  done(2, 250.5, 20.0625, 1020.0625, 512, 101),
  done(3, 400, 1234.567891, 5678.9, 30000, 401),
  done(4, 401, 75, 75.5, 64, 2),
  { id: 5, status: 'timed-out', scheduledMs: 500, endMs: 1_000_500, inputTokens: 90000, outputTokens: 300, ttftMs: NaN, e2elMs: NaN },
  { id: 6, status: 'rejected', scheduledMs: 600, endMs: 600, inputTokens: 140000, outputTokens: 10, ttftMs: NaN, e2elMs: NaN, reason: 'prefill: prompt + output 140001 > max_seq_len 131072' },
  { id: 7, status: 'timed-out', scheduledMs: 700, endMs: 1_000_700, inputTokens: 800, outputTokens: 5, ttftMs: NaN, e2elMs: NaN },
];
const INFO: AiperfRunInfo = {
  scenario: { name: 'disagg-kv', client: { request_timeout_seconds: 1000, goodput_ttft_ms: 1000 }, workers: [{ count: 2 }] },
  seed: '42',
  commandLine: 'servesim run scenarios/disagg-kv.yaml --trace tiny.jsonl --seed 42',
  servesimVersion: '0.1.0',
  workload: 'tiny.jsonl',
  goodput: { time_to_first_token: 1000, inter_token_latency: 50 },
};

const JSON_OBJ = aiperfJson(RECORDS, INFO);
const JSON_TEXT = aiperfJsonText(JSON_OBJ);
const PARSED = JSON.parse(JSON_TEXT) as Record<string, Record<string, number | string>>;
const LINES = aiperfRecordLines(RECORDS, INFO);
const PARSED_LINES = LINES.trimEnd().split('\n').map((l) => JSON.parse(l) as { metadata: Record<string, unknown>; metrics: Record<string, { value: number; unit: string }>; error?: Record<string, unknown> });
const CSV = aiperfCsv(JSON_OBJ);

const close = (a: number, b: number, rel = 1e-12) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(Math.abs(a), Math.abs(b), 1e-300));

describe('profile_export_aiperf.json', () => {
  it('has only AIPerf JsonExportData fields (metric tags as extra keys) in its declaration order, plus the servesim block', () => {
    const keys = Object.keys(PARSED);
    const declared = keys.filter((k) => JSON_EXPORT_DATA_FIELDS.includes(k));
    expect(declared).toEqual(JSON_EXPORT_DATA_FIELDS.filter((k) => declared.includes(k)));
    expect(keys.slice(0, declared.length)).toEqual(declared); // declared fields first, as pydantic dumps them
    for (const k of keys.slice(declared.length)) expect(k in AIPERF_UNITS || k === 'servesim').toBe(true);
    expect(keys.at(-1)).toBe('servesim');
    expect(PARSED.schema_version).toBe('1.5');
    expect(PARSED.aiperf_version).toBeUndefined(); // servesim is not AIPerf
    expect(PARSED.input_config).toEqual(INFO.scenario);
    expect(PARSED.was_cancelled).toBe(false);
    expect(PARSED.start_time).toBe('1970-01-01T00:00:00');
    expect(PARSED.end_time).toBe('1970-01-01T00:16:40.700000');
  });

  it('writes run_info with the seed and command line', () => {
    const ri = PARSED.run_info as unknown as Record<string, unknown>;
    expect(Object.keys(ri)).toEqual(RUN_INFO_FIELDS.filter((k) => k in ri));
    expect(ri).toEqual({ random_seed: 42, trial: 0, variation_label: 'base', variation_index: 0, variation_values: {}, cli_command: INFO.commandLine });
    const named = aiperfJson(RECORDS, { ...INFO, seed: 'abc', benchmarkId: 'run-7', runLabel: 'run_0001' });
    expect(named.run_info.random_seed).toBeUndefined(); // not an integer: kept only in the servesim block
    expect(named.servesim.seed).toBe('abc');
    expect(named.benchmark_id).toBe('run-7');
    expect(named.run_info.benchmark_id).toBe('run-7');
    expect(named.run_info.run_label).toBe('run_0001');
  });

  it('gives every metric AIPerf unit and JsonMetricResult fields: full stats for record metrics, unit + avg otherwise', () => {
    const metricKeys = Object.keys(PARSED).filter((k) => k in AIPERF_UNITS);
    expect(metricKeys.sort()).toEqual(Object.keys(AIPERF_UNITS).sort()); // this fixture exercises every tag
    for (const tag of metricKeys) {
      const m = PARSED[tag];
      expect(m.unit, tag).toBe(AIPERF_UNITS[tag]);
      if (RECORD_METRICS.includes(tag)) expect(Object.keys(m), tag).toEqual(JSON_METRIC_RESULT_FIELDS);
      else expect(Object.keys(m), tag).toEqual(['unit', 'avg']);
    }
    expect(PARSED.time_to_second_token).toBeUndefined(); // needs the second token's time
    expect(PARSED.inter_chunk_latency).toBeUndefined(); // needs per-chunk times
    expect(PARSED.min_request_timestamp).toBeUndefined(); // INTERNAL in current AIPerf
  });

  it('reproduces its record statistics from the per-request lines (linear percentiles, population std, running-sum mean)', () => {
    const valid = PARSED_LINES.filter((l) => !l.error);
    for (const tag of RECORD_METRICS) {
      const lines = tag === 'error_isl' ? PARSED_LINES.filter((l) => l.error) : valid;
      const values = lines.flatMap((l) => (l.metrics[tag] ? [l.metrics[tag].value] : []));
      const m = PARSED[tag] as Record<string, number>;
      expect(m.count, tag).toBe(values.length);
      const sorted = [...values].sort((a, b) => a - b);
      const sum = values.reduce((a, x) => a + x, 0);
      close(m.sum, sum);
      close(m.avg, sum / values.length);
      close(m.min, sorted[0]);
      close(m.max, sorted.at(-1)!);
      const mean = sum / values.length;
      close(m.std, Math.sqrt(values.reduce((a, x) => a + (x - mean) ** 2, 0) / values.length), 1e-9);
      for (const q of [1, 5, 10, 25, 50, 75, 90, 95, 99]) close(m[`p${q}`], quantileSorted(sorted, q / 100)!);
    }
    expect(PARSED.inter_token_latency.count).toBe(4); // the one-token output has no ITL
  });

  it('reproduces counts, duration, throughputs and goodput from the per-request lines', () => {
    const valid = PARSED_LINES.filter((l) => !l.error);
    const avg = (tag: string) => PARSED[tag].avg as number;
    expect(avg('request_count')).toBe(5);
    expect(avg('error_request_count')).toBe(3);
    expect(avg('completed_request_count')).toBe(8);
    expect(avg('request_error_rate')).toBe(37.5);
    const start = Math.min(...valid.map((l) => Number(l.metadata.request_start_ns)));
    const end = Math.max(...valid.map((l) => Number(l.metadata.request_end_ns)));
    const durationS = (end - start) / 1e9;
    close(avg('benchmark_duration'), durationS);
    expect(avg('benchmark_duration')).toBe(6.0789); // request 0 starts at 0, request 3 ends at 400 ms + 5678.9 ms
    const isl = valid.reduce((a, l) => a + l.metrics.input_sequence_length.value, 0);
    const osl = valid.reduce((a, l) => a + l.metrics.output_sequence_length.value, 0);
    expect(avg('total_isl')).toBe(isl);
    expect(avg('total_osl')).toBe(osl);
    expect(avg('total_output_tokens')).toBe(osl);
    expect(avg('total_error_isl')).toBe(90000 + 140000 + 800);
    close(avg('request_throughput'), 5 / durationS);
    close(avg('output_token_throughput'), osl / durationS);
    close(avg('input_token_throughput'), isl / durationS);
    close(avg('total_token_throughput'), (isl + osl) / durationS);
    // good: TTFT <= 1000 ms and an ITL <= 50 ms; request 1 has no ITL, request 3 misses TTFT
    const good = valid.filter((l) => l.metrics.time_to_first_token.value <= 1000 && l.metrics.inter_token_latency !== undefined && l.metrics.inter_token_latency.value <= 50);
    expect(good.map((l) => l.metadata.request_num)).toEqual([4, 2]);
    expect(valid.map((l) => l.metrics.good_request_count.value)).toEqual(valid.map((l) => (good.includes(l) ? 1 : 0)));
    expect(avg('good_request_count')).toBe(2);
    close(avg('goodput'), 2 / durationS);
    expect(avg('good_request_fraction')).toBe(2 / 8);
  });

  it('summarises errors by (code, type, message)', () => {
    expect(JSON_OBJ.error_summary).toEqual([
      { error_details: { code: 400, type: 'Bad Request', message: 'prefill: prompt + output 140001 > max_seq_len 131072' }, count: 1 },
      { error_details: { code: null, type: 'TimeoutError', message: 'TimeoutError()' }, count: 2 },
    ]);
    // pydantic's exclude_none drops the null code in the JSON file
    expect((PARSED.error_summary as unknown as { error_details: object }[])[1].error_details).toEqual({ type: 'TimeoutError', message: 'TimeoutError()' });
  });

  it('writes floats the way pydantic does and stays byte-identical for identical input, whatever the record order', () => {
    expect(JSON_TEXT).toContain('"avg": 5.0');
    expect(JSON_TEXT).toContain('"count": 5,');
    expect(JSON_TEXT).not.toMatch(/\n$/);
    const shuffled = [RECORDS[5], RECORDS[2], RECORDS[7], RECORDS[0], RECORDS[6], RECORDS[3], RECORDS[1], RECORDS[4]];
    expect(aiperfJsonText(aiperfJson(shuffled, INFO))).toBe(JSON_TEXT);
    expect(aiperfRecordLines(shuffled, INFO)).toBe(LINES);
    expect(aiperfFiles(RECORDS, INFO)).toEqual({ [AIPERF_FILES.json]: JSON_TEXT, [AIPERF_FILES.csv]: CSV, [AIPERF_FILES.jsonl]: LINES });
  });

  it('omits what AIPerf omits: error metrics without errors, goodput without SLOs, everything derived without valid requests', () => {
    const clean = aiperfJson(RECORDS.filter((r) => r.status === 'completed'), { ...INFO, goodput: undefined });
    for (const k of ['error_request_count', 'error_isl', 'total_error_isl', 'goodput', 'good_request_count', 'good_request_fraction']) expect(clean[k as 'goodput'], k).toBeUndefined();
    expect(clean.request_error_rate?.avg).toBe(0);
    expect(clean.error_summary).toEqual([]);
    const failed = aiperfJson(RECORDS.filter((r) => r.status !== 'completed'), INFO);
    expect(Object.keys(failed).filter((k) => k in AIPERF_UNITS).sort()).toEqual(['error_isl', 'error_request_count', 'good_request_fraction', 'total_error_isl']);
  });
});

describe('profile_export.jsonl', () => {
  it('writes one compact record per request, in end-time order, with AIPerf metadata fields only', () => {
    expect(PARSED_LINES).toHaveLength(RECORDS.length);
    expect(LINES.endsWith('}\n')).toBe(true);
    expect(LINES).not.toMatch(/": |, "/); // compact separators
    expect(PARSED_LINES.map((l) => l.metadata.request_num)).toEqual([4, 6, 1, 2, 0, 3, 5, 7]);
    for (const l of PARSED_LINES) {
      expect(Object.keys(l)).toEqual(l.error ? ['metadata', 'metrics', 'error'] : ['metadata', 'metrics']);
      const keys = Object.keys(l.metadata);
      expect(keys).toEqual(RECORD_METADATA_FIELDS.filter((k) => keys.includes(k)));
      for (const k of RECORD_METADATA_REQUIRED) expect(keys).toContain(k);
      expect(l.metadata.benchmark_phase).toBe('profiling');
      for (const [tag, m] of Object.entries(l.metrics)) expect(m.unit, tag).toBe(AIPERF_UNITS[tag]);
    }
  });

  it('computes per-request values with AIPerf formulas on integer-ns timestamps', () => {
    const r0 = aiperfRecords(RECORDS, INFO).find((l) => l.metadata.request_num === 0)!;
    expect(r0.metadata.request_start_ns).toBe(0n);
    expect(r0.metadata.request_end_ns).toBe(1_500_250_000n);
    expect(r0.metrics.time_to_first_token!.value).toBe(500_125_000 * (1000 / 1_000_000_000));
    expect(r0.metrics.request_latency!.value).toBe(1_500_250_000 * (1000 / 1_000_000_000));
    expect(r0.metrics.inter_token_latency!.value).toBe(((1_500_250_000 - 500_125_000) / 10) * (1000 / 1_000_000_000));
    expect(r0.metrics.output_token_throughput_per_user!.value).toBe(1 / ((1_500_250_000 - 500_125_000) / 10 * (1 / 1_000_000_000)));
    expect(r0.metrics.e2e_output_token_throughput!.value).toBe(11 / (1_500_250_000 * (1 / 1_000_000_000)));
    expect(r0.metrics.prefill_throughput_per_user!.value).toBe(1000 / (500_125_000 * (1 / 1_000_000_000)));
    expect(r0.metrics.decode_duration!.value).toBe(1_000_125_000 * (1000 / 1_000_000_000));
    expect(LINES).toContain('"output_token_count":{"value":11,"unit":"tokens"}');
    expect(LINES).toContain('"time_to_first_token":{"value":900.0,"unit":"ms"}');
  });

  it('writes error records for timed-out and rejected requests as AIPerf does', () => {
    const timedOut = PARSED_LINES.find((l) => l.metadata.request_num === 5)!;
    expect(timedOut.error).toEqual({ code: null, type: 'TimeoutError', message: 'TimeoutError()' });
    expect(Object.keys(timedOut.error!)).toEqual(ERROR_DETAILS_FIELDS);
    expect(timedOut.metrics).toEqual({ error_isl: { value: 90000, unit: 'tokens' } });
    expect(timedOut.metadata.request_start_ns).toBe(500_000_000);
    expect(timedOut.metadata.request_end_ns).toBe(1_000_500_000_000);
    const rejected = PARSED_LINES.find((l) => l.metadata.request_num === 6)!;
    expect(rejected.error).toEqual({ code: 400, type: 'Bad Request', message: 'prefill: prompt + output 140001 > max_seq_len 131072' });
    expect(rejected.metrics).toEqual({ error_isl: { value: 140000, unit: 'tokens' } });
    expect(rejected.metadata.request_end_ns).toBe(600_000_000);
  });

  it('places the virtual clock on a wall-clock epoch exactly (ns beyond 2^53)', () => {
    const epochNs = 1_760_000_000_123_456_789n;
    const lines = aiperfRecordLines(RECORDS.slice(0, 1), { ...INFO, epochNs });
    expect(lines).toContain(`"request_start_ns":${epochNs},"request_end_ns":${epochNs + 1_500_250_000n}`);
    const json = aiperfJson(RECORDS.slice(0, 1), { ...INFO, epochNs });
    expect(json.start_time).toBe('2025-10-09T08:53:20.123457');
    expect(aiperfJsonText(json)).toContain(`"epoch_ns": ${epochNs}`);
  });

  it('rejects inconsistent input instead of writing numbers', () => {
    expect(() => aiperfJson([done(1, 0, 10, 5, 1, 2)], INFO)).toThrow(/ttftMs <= e2elMs/);
    expect(() => aiperfJson([done(1, 0, 1, 5, 1, 2), done(1, 3, 1, 5, 1, 2)], INFO)).toThrow(/duplicate/);
    expect(() => aiperfJson(RECORDS, { ...INFO, goodput: { ttft: 5 } as never })).toThrow(/unknown metric tag/);
  });
});

describe('profile_export_aiperf.csv', () => {
  const rows = CSV.split('\r\n');
  it('has the two sections of AIPerf MetricsCsvExporter, rows sorted by tag, CRLF line ends', () => {
    expect(rows[0]).toBe(CSV_HEADER);
    const blank = rows.indexOf('');
    expect(rows[blank + 1]).toBe('Metric,Value');
    expect(rows.slice(1, blank).map((r) => r.split(',')[0])).toEqual([
      'Decode Duration (ms)', 'E2E Output Token Throughput (tokens/sec/user)', 'Error Input Sequence Length (tokens)',
      'Input Sequence Length (tokens)', 'Inter Token Latency (ms)', 'Output Sequence Length (tokens)',
      'Output Token Count (tokens)', 'Output Token Throughput Per User (tokens/sec/user)',
      'Prefill Throughput Per User (tokens/sec/user)', 'Request Latency (ms)', 'Time to First Token (ms)',
    ]);
    expect(rows.slice(blank + 2, -1).map((r) => r.split(',')[0])).toEqual([
      'Benchmark Duration (sec)', 'Completed Requests (Success + Error)', 'Error Request Count', 'Good Request Count',
      'GoodRequestFraction (ratio)', 'Goodput (requests/sec)', 'Input Token Throughput (tokens/sec)',
      'Output Token Throughput (tokens/sec)', 'Request Count', 'Request Error Rate (%)', 'Request Throughput (requests/sec)',
      'Total Error Input Sequence Length (tokens)', 'Total Input Sequence Length (tokens)',
      'Total Output Sequence Length (tokens)', 'Total Output Tokens (tokens)', 'Total Token Throughput (tokens/sec)',
    ]);
    expect(rows.at(-1)).toBe('');
    expect(rows).toContain('Request Count,5.00');
    expect(rows).toContain('Benchmark Duration (sec),6.08');
  });

  it('formats each cell as Python f"{x:.2f}" of the JSON figure', () => {
    const ttft = rows.find((r) => r.startsWith('Time to First Token'))!.split(',');
    const m = JSON_OBJ.time_to_first_token!;
    expect(ttft.slice(1)).toEqual([m.avg, m.min, m.max, m.sum, m.p1, m.p5, m.p10, m.p25, m.p50, m.p75, m.p90, m.p95, m.p99, m.std].map((x) => formatPyFixed2(x!)));
  });
});

describe('number formatting and numpy arithmetic', () => {
  it('writes floats like pydantic/serde_json (values from AIPerf-written files)', () => {
    expect(formatPyFloat(80)).toBe('80.0');
    expect(formatPyFloat(0.14968841618235815)).toBe('0.14968841618235815');
    expect(formatPyFloat(6659.798630899999)).toBe('6659.798630899999');
    expect(formatPyFloat(1.761877876646336e18)).toBe('1.761877876646336e18'); // timeslice export, PR #411
    expect(formatPyFloat(1e16)).toBe('1e16');
    expect(formatPyFloat(1234567890123456)).toBe('1234567890123456.0');
    expect(formatPyFloat(0.0001)).toBe('0.0001');
    expect(formatPyFloat(1.5e-7)).toBe('1.5e-7');
    expect(formatPyFloat(-2.5)).toBe('-2.5');
    expect(formatPyFloat(0)).toBe('0.0');
  });

  it('rounds like Python "%.2f" (exact ties to even), unlike toFixed', () => {
    expect(formatPyFixed2(0.125)).toBe('0.12');
    expect(formatPyFixed2(0.375)).toBe('0.38');
    expect(formatPyFixed2(1000.125)).toBe('1000.12');
    expect(formatPyFixed2(2.675)).toBe('2.67'); // 2.67499999… in binary
    expect(formatPyFixed2(-0.001)).toBe('-0.00');
    expect(formatPyFixed2(1e22)).toBe('10000000000000000000000.00');
  });

  it('sums pairwise like numpy (8 accumulators, blocks of 128)', () => {
    const small = Float64Array.from([0.1, 0.2, 0.3]);
    expect(numpySum(small)).toBe(0.1 + 0.2 + 0.3);
    const a = Float64Array.from({ length: 16 }, (_, i) => (i === 0 ? 1e16 : 1));
    // accumulators r[0] = 1e16 + 1 (lost), r[1..7] = 2 each → 1e16 + 14, not the sequential 1e16
    expect(numpySum(a)).toBe(1e16 + 14);
    expect(numpyStd(Float64Array.from([1, 2, 3, 4]))).toBe(Math.sqrt(1.25));
  });
});

// ---- the seed's reader: stdlib python, json.loads(line)['metrics'][tag]['value'] ----

const PY = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const HAVE_PYTHON = PY.status === 0;
if (!HAVE_PYTHON) console.warn('aiperf-export: python3 not found, skipping the stdlib-python reader test');

const READER = String.raw`
import csv, json, math, sys
jsonl, jpath, cpath = sys.argv[1:4]
tags = ['time_to_first_token', 'inter_token_latency', 'request_latency', 'output_sequence_length', 'input_sequence_length']
values = {t: [] for t in tags}
errors = []
with open(jsonl) as f:
    for line in f:
        rec = json.loads(line)
        if rec.get('error'):
            errors.append(rec['error'])
            continue
        for t in tags:
            if t in rec['metrics']:
                values[t].append(rec['metrics'][t]['value'])
with open(jpath) as f:
    summary = json.load(f)
def pct(v, q):
    i = q / 100.0 * (len(v) - 1)
    lo = int(i)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (i - lo) * (v[hi] - v[lo])
bad = []
for t in tags:
    v = sorted(values[t])
    s = summary[t]
    n = len(v)
    mean = sum(values[t]) / n
    std = math.sqrt(sum((x - mean) ** 2 for x in v) / n)
    checks = [('count', n, s['count']), ('avg', mean, s['avg']), ('min', v[0], s['min']), ('max', v[-1], s['max']), ('std', std, s['std'])]
    checks += [('p%d' % q, pct(v, q), s['p%d' % q]) for q in (1, 5, 10, 25, 50, 75, 90, 95, 99)]
    for name, mine, theirs in checks:
        if not math.isclose(mine, theirs, rel_tol=1e-9, abs_tol=1e-12):
            bad.append([t, name, mine, theirs])
with open(cpath, newline='') as f:
    rows = list(csv.reader(f))
header = rows[0]
print(json.dumps({'counts': {t: len(values[t]) for t in tags}, 'errors': errors, 'bad': bad, 'header': header,
                  'fmt': [format(x, '.2f') for x in json.loads(sys.stdin.read())]}))
`;

describe.skipIf(!HAVE_PYTHON)('read by stdlib python the way the seed plot script reads it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'servesim-aiperf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('yields the same values and statistics, and Python formats the JSON figures exactly as the CSV cells', () => {
    writeFileSync(join(dir, AIPERF_FILES.jsonl), LINES);
    writeFileSync(join(dir, AIPERF_FILES.json), JSON_TEXT);
    writeFileSync(join(dir, AIPERF_FILES.csv), CSV);
    const figures = Object.values(JSON_OBJ).flatMap((m) => (m && typeof m === 'object' && 'unit' in m ? Object.entries(m).filter(([k]) => k !== 'unit' && k !== 'count').map(([, v]) => v as number) : []));
    const ties = [0.125, 0.375, 2.675, 1000.125, 6.0789, 1e22, -0.001];
    const out = spawnSync('python3', ['-c', READER, join(dir, AIPERF_FILES.jsonl), join(dir, AIPERF_FILES.json), join(dir, AIPERF_FILES.csv)], {
      input: JSON.stringify([...figures, ...ties]),
      encoding: 'utf8',
    });
    expect(out.stderr).toBe('');
    const res = JSON.parse(out.stdout) as { counts: Record<string, number>; errors: unknown[]; bad: unknown[]; header: string[]; fmt: string[] };
    expect(res.counts).toEqual({ time_to_first_token: 5, inter_token_latency: 4, request_latency: 5, output_sequence_length: 5, input_sequence_length: 5 });
    expect(res.errors).toHaveLength(3);
    expect(res.bad).toEqual([]);
    expect(res.header.join(',')).toBe(CSV_HEADER);
    expect(res.fmt).toEqual([...figures, ...ties].map(formatPyFixed2));
  });
});

// ---- optional: AIPerf's own arithmetic (numpy) and serializer (pydantic), when the python3 has them ----

const HAVE_NUMPY_PYDANTIC = HAVE_PYTHON && spawnSync('python3', ['-c', 'import numpy, pydantic_core'], { encoding: 'utf8' }).status === 0;
if (HAVE_PYTHON && !HAVE_NUMPY_PYDANTIC) console.warn('aiperf-export: python3 lacks numpy/pydantic, skipping the byte-level cross-check');

/** metric_result_from_array (src/aiperf/metrics/metric_dicts.py) + MetricTimeUnit.convert_to, written by pydantic_core.to_json
 * (model_dump_json's serializer); each JSONL line is re-serialized by pydantic_core too. */
const AIPERF_ORACLE = String.raw`
import json, sys
import numpy as np
from pydantic_core import to_json
base, text, lines = json.loads(sys.stdin.read())
QS = np.array([1, 5, 10, 25, 50, 75, 90, 95, 99], dtype=np.float64)
out = json.loads(text)
ns = {'time_to_first_token', 'request_latency', 'inter_token_latency', 'decode_duration'}
for tag, vals in base.items():
    clean = np.asarray(vals, dtype=np.float64)
    arr_sum = 0.0
    for v in vals:
        arr_sum += v
    n = len(clean)
    clean.sort()
    vi = QS / 100.0 * (n - 1)
    lo = vi.astype(int)
    hi = np.minimum(lo + 1, n - 1)
    pcts = clean[lo] + (vi - lo) * (clean[hi] - clean[lo])
    stats = {'avg': arr_sum / n, **{'p%d' % q: float(p) for q, p in zip((1, 5, 10, 25, 50, 75, 90, 95, 99), pcts)},
             'min': float(clean[0]), 'max': float(clean[-1]), 'std': float(np.std(clean, ddof=0)), 'count': n, 'sum': arr_sum}
    if tag in ns:
        stats = {k: (v if k == 'count' else v * (1000 / 1000000000)) for k, v in stats.items()}
    out[tag] = {'unit': out[tag]['unit'], **stats}
bad_lines = sum(1 for line in lines.splitlines(keepends=True) if to_json(json.loads(line)).decode() + '\n' != line)
sys.stdout.write(json.dumps({'text': to_json(out, indent=2).decode(), 'bad_lines': bad_lines}))
`;

describe.skipIf(!HAVE_NUMPY_PYDANTIC)('byte-identical to numpy statistics serialized by pydantic', () => {
  it('reproduces every record-metric block of a 600-request run, and pydantic writes the JSON and each JSONL line as servesim does', () => {
    let x = 12345n;
    const rnd = () => Number((x = (x * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n) >> 11n) / 2 ** 53;
    const records: AiperfRecordInput[] = Array.from({ length: 600 }, (_, id) => {
      const scheduledMs = rnd() * 600_000;
      if (rnd() < 0.05) return { id, status: 'timed-out', scheduledMs, endMs: scheduledMs + 1e6, inputTokens: 1 + Math.floor(rnd() * 1e5), outputTokens: 5, ttftMs: NaN, e2elMs: NaN };
      const ttftMs = rnd() * 20_000;
      const outputTokens = 1 + Math.floor(rnd() * 1000);
      return done(id, scheduledMs, ttftMs, ttftMs + (outputTokens - 1) * rnd() * 60, 1 + Math.floor(rnd() * 1e5), outputTokens);
    });
    const text = aiperfJsonText(aiperfJson(records, INFO));
    // AIPerf's base-unit series (ns, tokens) in processing order, rebuilt from the lines: the ms values are integer ns × 1e-6
    const base: Record<string, number[]> = {};
    const push = (tag: string, v: number) => (base[tag] ??= []).push(v);
    for (const l of aiperfRecords(records, INFO)) {
      const m = l.metrics;
      if (l.error) {
        push('error_isl', m.error_isl!.value);
        continue;
      }
      const ns = (tag: 'time_to_first_token' | 'request_latency' | 'decode_duration') => Math.round(m[tag]!.value * 1e6);
      const osl = m.output_sequence_length!.value;
      for (const tag of Object.keys(m)) {
        if (tag === 'good_request_count') continue;
        if (tag === 'time_to_first_token' || tag === 'request_latency' || tag === 'decode_duration') push(tag, ns(tag));
        else if (tag === 'inter_token_latency') push(tag, (ns('request_latency') - ns('time_to_first_token')) / (osl - 1));
        else push(tag, m[tag as 'input_sequence_length']!.value);
      }
    }
    const lines = aiperfRecordLines(records, { ...INFO, epochNs: 1_760_000_000_123_456_789n });
    const out = spawnSync('python3', ['-c', AIPERF_ORACLE], { input: JSON.stringify([base, text, lines]), encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(out.stderr).toBe('');
    const res = JSON.parse(out.stdout) as { text: string; bad_lines: number };
    expect(res.text).toBe(text);
    expect(res.bad_lines).toBe(0);
  });
});
