// AIPerf-compatible exports of a servesim run (profile_export_aiperf.json/.csv, profile_export.jsonl) as pure functions.
// Inputs: the per-request records and the run info; profile_export.jsonl is AIPerf's --export-level records file.
// Layout, fields and statistics follow ai-dynamo/aiperf (see docs/aiperf-outputs.md for the files and commits read).
import { csvRow, formatPyFixed2, formatPyFloat, jsonPretty, PyFloat, toJsonValue, type JsonValue } from './aiperf-format.ts';
import { evaluateRecord, goodputThresholds, METRICS, NS_TO_S, processingOrder, VALID_RECORD_METRICS, type EvaluatedRecord } from './aiperf-metrics.ts';
import { PERCENTILES, recordStats } from './aiperf-stats.ts';
import type {
  AiperfErrorSummaryEntry,
  AiperfJsonExport,
  AiperfMetricStats,
  AiperfMetricTag,
  AiperfRecordInput,
  AiperfRecordLine,
  AiperfRecordMetricTag,
  AiperfRunInfo,
} from './aiperf-types.ts';

export type * from './aiperf-types.ts';

/** JsonExportData.SCHEMA_VERSION of the newest AIPerf schema documented (docs/reference/json-export-schema.md). */
export const AIPERF_SCHEMA_VERSION = '1.5';

/** AIPerf's default artifact file names (OutputDefaults). */
export const AIPERF_FILES = { json: 'profile_export_aiperf.json', csv: 'profile_export_aiperf.csv', jsonl: 'profile_export.jsonl' } as const;

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

const isMetricTag = (k: string): k is AiperfMetricTag => Object.hasOwn(METRICS, k);

function evaluateAll(records: readonly AiperfRecordInput[], info: AiperfRunInfo): EvaluatedRecord[] {
  const epochNs = info.epochNs ?? 0n;
  if (epochNs < 0n) throw new RangeError('epochNs must be >= 0');
  const ids = new Set<number>();
  for (const r of records) {
    if (ids.has(r.id)) throw new RangeError(`duplicate request id ${r.id}`);
    ids.add(r.id);
  }
  const slos = goodputThresholds(info);
  return records.map((r) => evaluateRecord(r, epochNs, slos)).sort(processingOrder);
}

const display = (tag: AiperfMetricTag, base: number): number => {
  const f = METRICS[tag].toDisplay;
  return f === undefined ? base : base * f;
};

function recordMetricStats(tag: AiperfMetricTag, values: readonly number[]): AiperfMetricStats | undefined {
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

/** The per-request records of profile_export.jsonl, in AIPerf's processing order (by end time). */
export function aiperfRecords(records: readonly AiperfRecordInput[], info: AiperfRunInfo): AiperfRecordLine[] {
  return recordsOf(evaluateAll(records, info));
}

function recordsOf(evaluated: readonly EvaluatedRecord[]): AiperfRecordLine[] {
  return evaluated.map((e) => {
    const r = e.input;
    const line: AiperfRecordLine = {
      metadata: {
        request_num: r.id,
        session_num: r.sessionNum ?? r.id,
        ...(r.conversationId === undefined ? {} : { conversation_id: r.conversationId }),
        turn_index: r.turnIndex ?? 0,
        request_start_ns: e.startNs,
        request_end_ns: e.endNs,
        worker_id: r.clientWorkerId ?? 'servesim-client',
        record_processor_id: 'servesim',
        benchmark_phase: 'profiling',
      },
      metrics: {},
    };
    if (e.error) {
      line.metrics.error_isl = { value: r.inputTokens, unit: METRICS.error_isl.unit };
      line.error = { ...e.error };
      return line;
    }
    for (const tag of VALID_RECORD_METRICS) {
      const v = e.values[tag];
      if (v !== undefined) line.metrics[tag] = { value: display(tag, v), unit: METRICS[tag].unit };
    }
    if (e.good !== undefined) line.metrics.good_request_count = { value: e.good, unit: METRICS.good_request_count.unit };
    return line;
  });
}

/** profile_export.jsonl: one compact JSON object per line, "\n"-terminated: what jsonCompact writes for each
 *  AiperfRecordLine of aiperfRecords, spelled out for speed (a run writes one line per request). */
export function aiperfRecordLines(records: readonly AiperfRecordInput[], info: AiperfRunInfo): string {
  return linesOf(evaluateAll(records, info));
}

/** Per record metric: the text before its value, its display factor, whether an int, the text after. */
const LINE_METRICS = VALID_RECORD_METRICS.map((tag) => ({
  tag,
  head: `"${tag}":{"value":`,
  factor: METRICS[tag].toDisplay,
  int: METRICS[tag].value === 'int',
  tail: `,"unit":${JSON.stringify(METRICS[tag].unit)}}`,
}));

function linesOf(evaluated: readonly EvaluatedRecord[]): string {
  return [...lineChunks(evaluated)].join('');
}

/** The lines in chunks of a few thousand (a million-request file is larger than a JavaScript string may be). */
function* lineChunks(evaluated: readonly EvaluatedRecord[]): Generator<string> {
  const CHUNK = 4096;
  let parts: string[] = [];
  const errorIslUnit = JSON.stringify(METRICS.error_isl.unit);
  const goodUnit = JSON.stringify(METRICS.good_request_count.unit);
  for (const e of evaluated) {
    const r = e.input;
    parts.push(`{"metadata":{"request_num":${r.id},"session_num":${r.sessionNum ?? r.id}`);
    if (r.conversationId !== undefined) parts.push(`,"conversation_id":${JSON.stringify(r.conversationId)}`);
    parts.push(`,"turn_index":${r.turnIndex ?? 0},"request_start_ns":${e.startNs},"request_end_ns":${e.endNs},"worker_id":${JSON.stringify(r.clientWorkerId ?? 'servesim-client')},"record_processor_id":"servesim","benchmark_phase":"profiling"},"metrics":{`);
    if (e.error) {
      parts.push(`"error_isl":{"value":${r.inputTokens},"unit":${errorIslUnit}}},"error":{"code":${e.error.code === null ? 'null' : JSON.stringify(e.error.code)},"type":${JSON.stringify(e.error.type)},"message":${JSON.stringify(e.error.message)}}}\n`);
      continue;
    }
    let sep = '';
    for (const m of LINE_METRICS) {
      const v = e.values[m.tag];
      if (v === undefined) continue;
      const shown = m.factor === undefined ? v : v * m.factor;
      parts.push(sep, m.head, m.int ? String(shown) : formatPyFloat(shown), m.tail);
      sep = ',';
    }
    if (e.good !== undefined) parts.push(`${sep}"good_request_count":{"value":${e.good},"unit":${goodUnit}}`);
    parts.push('}}\n');
    if (parts.length >= CHUNK * 8) {
      yield parts.join('');
      parts = [];
    }
  }
  if (parts.length > 0) yield parts.join('');
}

/** profile_export_aiperf.json as an object (metric keys and run fields in AIPerf's order). */
export function aiperfJson(records: readonly AiperfRecordInput[], info: AiperfRunInfo): AiperfJsonExport {
  return jsonOf(evaluateAll(records, info), info);
}

function jsonOf(evaluated: readonly EvaluatedRecord[], info: AiperfRunInfo): AiperfJsonExport {
  const valid = evaluated.filter((e) => !e.error);
  const errors = evaluated.filter((e) => e.error);
  const metrics: Partial<Record<AiperfMetricTag, AiperfMetricStats>> = {};
  const scalar = (tag: AiperfMetricTag, base: number): void => {
    metrics[tag] = { unit: METRICS[tag].unit, avg: display(tag, base) };
  };
  const series = (tag: AiperfRecordMetricTag): number[] => {
    const xs: number[] = [];
    for (const e of valid) {
      const x = e.values[tag];
      if (x !== undefined) xs.push(x);
    }
    return xs;
  };
  const sumOf = (xs: readonly number[]): number => xs.reduce((a, x) => a + x, 0); // the column store's running sum

  for (const tag of VALID_RECORD_METRICS) {
    const s = recordMetricStats(tag, series(tag));
    if (s) metrics[tag] = s;
  }
  const errorIsl = errors.map((e) => e.input.inputTokens);
  const errorIslStats = recordMetricStats('error_isl', errorIsl);
  if (errorIslStats) metrics.error_isl = errorIslStats;

  const slosSet = goodputThresholds(info) !== undefined;
  const good = valid.reduce((a, e) => a + (e.good ?? 0), 0);
  if (valid.length > 0) scalar('request_count', valid.length);
  if (errors.length > 0) scalar('error_request_count', errors.length);
  if (slosSet && valid.length > 0) scalar('good_request_count', good);

  // derived metrics (BaseDerivedMetric._derive_value): only when their inputs exist
  let durationS: number | undefined;
  if (valid.length > 0) {
    let minStart = valid[0].startNs;
    let maxEnd = valid[0].endNs;
    for (const e of valid) {
      if (e.startNs < minStart) minStart = e.startNs;
      if (e.endNs > maxEnd) maxEnd = e.endNs;
    }
    if (maxEnd > minStart) {
      const durationNs = Number(maxEnd - minStart);
      scalar('benchmark_duration', durationNs);
      durationS = durationNs * NS_TO_S;
    }
  }
  const isl = series('input_sequence_length');
  const osl = series('output_sequence_length');
  const totalIsl = sumOf(isl);
  const totalOsl = sumOf(osl);
  if (isl.length > 0) scalar('total_isl', totalIsl);
  if (osl.length > 0) scalar('total_osl', totalOsl);
  const outTokens = series('output_token_count');
  if (outTokens.length > 0) scalar('total_output_tokens', sumOf(outTokens));
  if (errorIsl.length > 0) scalar('total_error_isl', sumOf(errorIsl));
  if (durationS !== undefined) {
    scalar('request_throughput', valid.length / durationS);
    if (osl.length > 0) scalar('output_token_throughput', totalOsl / durationS);
    if (isl.length > 0 && osl.length > 0) scalar('total_token_throughput', (totalIsl + totalOsl) / durationS);
    if (isl.length > 0) scalar('input_token_throughput', totalIsl / durationS);
    if (slosSet) scalar('goodput', good / durationS);
  }
  if (slosSet) scalar('good_request_fraction', evaluated.length === 0 ? 0 : good / evaluated.length);
  if (valid.length > 0) {
    scalar('completed_request_count', valid.length + errors.length);
    scalar('request_error_rate', (100.0 * errors.length) / (valid.length + errors.length));
  }

  const summary = new Map<string, AiperfErrorSummaryEntry>();
  for (const e of errors) {
    const key = JSON.stringify([e.error!.code, e.error!.type, e.error!.message]);
    const entry = summary.get(key);
    if (entry) entry.count += 1;
    else summary.set(key, { error_details: { ...e.error! }, count: 1 });
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
    start_time: evaluated.length > 0 ? isoDateTime(evaluated.reduce((m, e) => (e.startNs < m ? e.startNs : m), evaluated[0].startNs)) : undefined,
    end_time: evaluated.length > 0 ? isoDateTime(evaluated.reduce((m, e) => (e.endNs > m ? e.endNs : m), evaluated[0].endNs)) : undefined,
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

const statsJson = (s: AiperfMetricStats): JsonValue => {
  const o: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(s)) if (v !== undefined) o[k] = k === 'unit' || k === 'count' ? v : new PyFloat(v as number);
  return o;
};

/** The text of profile_export_aiperf.json (model_dump_json(indent=2, exclude_none=True); no trailing newline). */
export function aiperfJsonText(json: AiperfJsonExport): string {
  const o: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(json)) {
    if (v === undefined) continue;
    if (isMetricTag(k)) o[k] = statsJson(v as AiperfMetricStats);
    else if (k === 'error_summary') {
      o[k] = (v as AiperfErrorSummaryEntry[]).map((e) => ({
        error_details: { code: e.error_details.code ?? undefined, type: e.error_details.type, message: e.error_details.message },
        count: e.count,
      }));
    } else o[k] = toJsonValue(v, k);
  }
  return jsonPretty(o);
}

/** CSV stat columns (STAT_KEYS of aiperf/common/constants.py). */
const CSV_STATS = ['avg', 'min', 'max', 'sum', ...PERCENTILES.map((q) => `p${q}` as const), 'std'] as const;

/** profile_export_aiperf.csv: metrics with percentiles, a blank row, then single-value metrics; rows sorted by tag. */
export function aiperfCsv(json: AiperfJsonExport): string {
  const tags = Object.keys(json).filter(isMetricTag).sort();
  const name = (tag: AiperfMetricTag): string => {
    const unit = json[tag]!.unit;
    return ['count', 'requests'].includes(unit.toLowerCase()) ? METRICS[tag].header : `${METRICS[tag].header} (${unit})`;
  };
  const cell = (v: number | undefined): string => (v === undefined ? '' : formatPyFixed2(v));
  const withPercentiles = tags.filter((t) => PERCENTILES.some((q) => json[t]![`p${q}`] !== undefined));
  const single = tags.filter((t) => !withPercentiles.includes(t));
  let out = '';
  if (withPercentiles.length > 0) {
    out += csvRow(['Metric', ...CSV_STATS]);
    for (const t of withPercentiles) out += csvRow([name(t), ...CSV_STATS.map((k) => cell(json[t]![k]))]);
    if (single.length > 0) out += csvRow([]);
  }
  if (single.length > 0) {
    out += csvRow(['Metric', 'Value']);
    for (const t of single) out += csvRow([name(t), cell(json[t]!.avg)]);
  }
  return out;
}

/** The three files' contents, by AIPerf file name. */
export function aiperfFiles(records: readonly AiperfRecordInput[], info: AiperfRunInfo): Readonly<Record<string, string>> {
  const parts = aiperfFileParts(records, info);
  return { ...parts, [AIPERF_FILES.jsonl]: [...parts[AIPERF_FILES.jsonl]].join('') };
}

/** The three files by AIPerf file name, the per-request one as chunks to write one after the other. */
export function aiperfFileParts(records: readonly AiperfRecordInput[], info: AiperfRunInfo): { [AIPERF_FILES.json]: string; [AIPERF_FILES.csv]: string; [AIPERF_FILES.jsonl]: Iterable<string> } {
  const evaluated = evaluateAll(records, info);
  const json = jsonOf(evaluated, info);
  return { [AIPERF_FILES.json]: aiperfJsonText(json), [AIPERF_FILES.csv]: aiperfCsv(json), [AIPERF_FILES.jsonl]: lineChunks(evaluated) };
}
