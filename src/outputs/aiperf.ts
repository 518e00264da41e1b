// AIPerf-compatible exports of a servesim run (profile_export_aiperf.json/.csv, profile_export.jsonl) as pure functions.
// Inputs: the per-request records and the run info; profile_export.jsonl is AIPerf's --export-level records file.
// Layout, fields and statistics follow ai-dynamo/aiperf (see docs/aiperf-outputs.md for the files and commits read).
import { csvRow, formatPyFixed2, formatPyFloat, jsonPretty, PyFloat, toJsonValue, type JsonValue } from './aiperf-format.ts';
import { columnLineChunks, columnSet, evaluateColumns } from './aiperf-columns.ts';
import { display, jsonOf, type EvaluatedSet } from './aiperf-json.ts';
import type { RecordTable } from '../metrics/record-table.ts';
import { evaluateRecord, goodputThresholds, METRICS, processingOrder, VALID_RECORD_METRICS, type EvaluatedRecord } from './aiperf-metrics.ts';
import { PERCENTILES } from './aiperf-stats.ts';
import type {
  AiperfErrorSummaryEntry,
  AiperfJsonExport,
  AiperfMetricStats,
  AiperfMetricTag,
  AiperfRecordInput,
  AiperfRecordLine,
  AiperfRunInfo,
} from './aiperf-types.ts';

export type * from './aiperf-types.ts';

export { AIPERF_SCHEMA_VERSION } from './aiperf-json.ts';

/** AIPerf's default artifact file names (OutputDefaults). */
export const AIPERF_FILES = { json: 'profile_export_aiperf.json', csv: 'profile_export_aiperf.csv', jsonl: 'profile_export.jsonl' } as const;

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
  return jsonOf(evaluatedSet(evaluateAll(records, info)), info, VALID_RECORD_METRICS);
}

/** The object path's evaluated records as the JSON export reads them. */
function evaluatedSet(evaluated: readonly EvaluatedRecord[]): EvaluatedSet {
  const valid = evaluated.filter((e) => !e.error);
  const errors = evaluated.filter((e) => e.error);
  const span = (es: readonly EvaluatedRecord[]) =>
    es.length === 0 ? undefined : { minStart: es.reduce((m, e) => (e.startNs < m ? e.startNs : m), es[0].startNs), maxEnd: es.reduce((m, e) => (e.endNs > m ? e.endNs : m), es[0].endNs) };
  return {
    count: evaluated.length,
    validCount: valid.length,
    errorCount: errors.length,
    series: (tag) => {
      const xs: number[] = [];
      for (const e of valid) {
        const x = e.values[tag];
        if (x !== undefined) xs.push(x);
      }
      return xs;
    },
    errorIsl: () => errors.map((e) => e.input.inputTokens),
    good: valid.reduce((a, e) => a + (e.good ?? 0), 0),
    validSpanNs: span(valid),
    spanNs: span(evaluated),
    errors: () => errors.map((e) => e.error!),
  };
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
  const json = jsonOf(evaluatedSet(evaluated), info, VALID_RECORD_METRICS);
  return { [AIPERF_FILES.json]: aiperfJsonText(json), [AIPERF_FILES.csv]: aiperfCsv(json), [AIPERF_FILES.jsonl]: lineChunks(evaluated) };
}

/** aiperfFileParts of a run's compact record table (the same bytes as for its records): all three files,
 *  only profile_export.jsonl, or only the other two ("summaries"). */
export function aiperfTableParts(table: RecordTable, info: AiperfRunInfo, files: 'all' | 'jsonl' | 'summaries' = 'all'): Partial<ReturnType<typeof aiperfFileParts>> {
  const columns = evaluateColumns(table, info);
  const all = columns ? undefined : aiperfFileParts(table.records(), info);
  const out: Partial<ReturnType<typeof aiperfFileParts>> = {};
  if (files !== 'jsonl') {
    const json = columns ? jsonOf(columnSet(columns), info, VALID_RECORD_METRICS) : undefined;
    out[AIPERF_FILES.json] = json ? aiperfJsonText(json) : all![AIPERF_FILES.json];
    out[AIPERF_FILES.csv] = json ? aiperfCsv(json) : all![AIPERF_FILES.csv];
  }
  if (files !== 'summaries') out[AIPERF_FILES.jsonl] = columns ? columnLineChunks(columns) : all![AIPERF_FILES.jsonl];
  return out;
}
