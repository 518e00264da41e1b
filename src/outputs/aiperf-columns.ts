// AIPerf's record processing over the compact record table of a long run: the same formulas as
// evaluateRecord (aiperf-metrics.ts), computed into columns (integer-ns timestamps as exact doubles,
// base-unit metric values, good flags), the rows put in processing order, then profile_export.jsonl
// written from them in chunks and the JSON export's statistics read from them. A table whose ns
// values are not exact doubles (beyond 2^53 ns, ~104 days) gets no columns: the caller uses records.
import type { RecordTable } from '../metrics/record-table.ts';
import { formatPyFloat } from './aiperf-format.ts';
import type { EvaluatedSet } from './aiperf-json.ts';
import { goodputThresholds, METRICS, msToNs, NS_TO_S, rejectedError, TIMEOUT_ERROR, VALID_RECORD_METRICS } from './aiperf-metrics.ts';
import type { AiperfErrorDetails, AiperfRecordMetricTag, AiperfRunInfo } from './aiperf-types.ts';

const EXACT = 2 ** 53;
const TAG_INDEX = new Map(VALID_RECORD_METRICS.map((t, k) => [t, k]));
const I = (tag: AiperfRecordMetricTag) => TAG_INDEX.get(tag)!;
const [ISL, TTFT, LATENCY, OTC, OSL, ITL, DECODE, OTPU, E2E, PREFILL] = ['input_sequence_length', 'time_to_first_token', 'request_latency', 'output_token_count', 'output_sequence_length', 'inter_token_latency', 'decode_duration', 'output_token_throughput_per_user', 'e2e_output_token_throughput', 'prefill_throughput_per_user'].map((t) => I(t as AiperfRecordMetricTag));

export interface EvaluatedColumns {
  readonly table: RecordTable;
  readonly epochNs: bigint;
  /** Rows in AIPerf's processing order (end ns, then id). */
  readonly order: Uint32Array;
  /** Per row: start and end, ns since the epoch (exact integers). */
  readonly startNs: Float64Array;
  readonly endNs: Float64Array;
  /** Per row: error details (null for a valid row). */
  readonly error: (row: number) => AiperfErrorDetails | null;
  /** Per record metric (VALID_RECORD_METRICS order), per row: the base-unit value, NaN if absent. */
  readonly values: Float64Array[];
  /** Per row: 1 / 0 good, -1 without --goodput thresholds or for an error row. */
  readonly good: Int8Array;
}

function check(cond: boolean, id: number, what: string): void {
  if (!cond) throw new RangeError(`request ${id}: ${what}`);
}

/** The table's rows evaluated as evaluateRecord evaluates records; undefined if ns values would not be exact. */
export function evaluateColumns(table: RecordTable, info: AiperfRunInfo): EvaluatedColumns | undefined {
  const epochNs = info.epochNs ?? 0n;
  if (epochNs < 0n) throw new RangeError('epochNs must be >= 0');
  const n = table.length;
  const ids = table.column('id');
  const sortedIds = Float64Array.from(ids.subarray(0, n)).sort();
  for (let i = 1; i < n; i++) if (sortedIds[i] === sortedIds[i - 1]) throw new RangeError(`duplicate request id ${sortedIds[i]}`);
  const slos = goodputThresholds(info);
  const sloList = slos ? [...slos].map(([tag, threshold]) => ({ k: I(tag), threshold, larger: METRICS[tag].largerIsBetter })) : [];
  const sched = table.column('scheduledMs');
  const endMs = table.column('endMs');
  const ttftMs = table.column('ttftMs');
  const e2elMs = table.column('e2elMs');
  const inTok = table.column('inputTokens');
  const outTok = table.column('outputTokens');
  const completed = table.statusCode('completed');
  const timedOut = table.statusCode('timed-out');
  const startNs = new Float64Array(n);
  const endNs = new Float64Array(n);
  const values = VALID_RECORD_METRICS.map(() => new Float64Array(n).fill(NaN));
  const good = new Int8Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    check(Number.isFinite(sched[i]) && Number.isFinite(endMs[i]), id, 'scheduledMs and endMs must be finite');
    check(Number.isInteger(inTok[i]) && inTok[i] >= 0 && Number.isInteger(outTok[i]) && outTok[i] >= 0, id, 'token counts must be non-negative integers');
    const start = msToNs(sched[i]);
    startNs[i] = start;
    if (table.statusCodeOf(i) !== completed) {
      endNs[i] = msToNs(endMs[i]);
      if (!(Math.abs(start) < EXACT && Math.abs(endNs[i]) < EXACT)) return undefined;
      continue;
    }
    check(Number.isFinite(ttftMs[i]) && Number.isFinite(e2elMs[i]) && ttftMs[i] >= 0 && e2elMs[i] >= ttftMs[i], id, 'a completed request needs 0 <= ttftMs <= e2elMs');
    const ttft = msToNs(sched[i] + ttftMs[i]) - start;
    const latency = msToNs(sched[i] + e2elMs[i]) - start;
    endNs[i] = start + latency;
    if (!(Math.abs(start) < EXACT && Math.abs(latency) < EXACT && Math.abs(endNs[i]) < EXACT)) return undefined;
    const isl = inTok[i];
    const osl = outTok[i];
    values[ISL][i] = isl;
    values[TTFT][i] = ttft;
    values[LATENCY][i] = latency;
    values[OTC][i] = osl;
    values[OSL][i] = osl;
    let itl: number | undefined;
    if (osl >= 2) values[ITL][i] = itl = (latency - ttft) / (osl - 1);
    values[DECODE][i] = latency - ttft;
    if (itl !== undefined && itl * NS_TO_S !== 0) values[OTPU][i] = 1 / (itl * NS_TO_S);
    if (latency * NS_TO_S !== 0) values[E2E][i] = osl / (latency * NS_TO_S);
    if (ttft * NS_TO_S !== 0) values[PREFILL][i] = isl / (ttft * NS_TO_S);
    if (slos) {
      let g = 1;
      for (const s of sloList) {
        const x = values[s.k][i];
        const pass = !Number.isNaN(x) && (s.larger ? x >= s.threshold : x <= s.threshold);
        if (!pass) {
          g = 0;
          break;
        }
      }
      good[i] = g;
    }
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => endNs[a] - endNs[b] || ids[a] - ids[b]);
  const rejectedErrors = new Map<string, AiperfErrorDetails>();
  const error = (row: number): AiperfErrorDetails | null => {
    const s = table.statusCodeOf(row);
    if (s === completed) return null;
    if (s === timedOut) return TIMEOUT_ERROR;
    const reason = table.reasonOf(row);
    let e = rejectedErrors.get(reason);
    if (!e) rejectedErrors.set(reason, (e = rejectedError(reason)));
    return e;
  };
  return { table, epochNs, order, startNs, endNs, error, values, good };
}

/** The columns as the JSON export reads them. */
export function columnSet(c: EvaluatedColumns): EvaluatedSet {
  const { order, table } = c;
  const completed = table.statusCode('completed');
  const validRows: number[] = [];
  const errorRows: number[] = [];
  for (const row of order) (table.statusCodeOf(row) === completed ? validRows : errorRows).push(row);
  const span = (rows: readonly number[]) => {
    if (rows.length === 0) return undefined;
    let minStart = Infinity;
    let maxEnd = -Infinity;
    for (const r of rows) {
      if (c.startNs[r] < minStart) minStart = c.startNs[r];
      if (c.endNs[r] > maxEnd) maxEnd = c.endNs[r];
    }
    return { minStart: c.epochNs + BigInt(minStart), maxEnd: c.epochNs + BigInt(maxEnd) };
  };
  let good = 0;
  for (const r of validRows) if (c.good[r] > 0) good += c.good[r];
  const inTok = table.column('inputTokens');
  return {
    count: order.length,
    validCount: validRows.length,
    errorCount: errorRows.length,
    series: (tag) => {
      const v = c.values[I(tag)];
      const xs = new Float64Array(validRows.length);
      let m = 0;
      for (const r of validRows) if (!Number.isNaN(v[r])) xs[m++] = v[r];
      return xs.subarray(0, m);
    },
    errorIsl: () => Float64Array.from(errorRows, (r) => inTok[r]),
    good,
    validSpanNs: span(validRows),
    spanNs: span(order as unknown as number[]),
    errors: () => errorRows.map((r) => c.error(r)!),
  };
}

/** Per record metric: the text before its value, its display factor, whether an int, the text after. */
const LINE_METRICS = VALID_RECORD_METRICS.map((tag, k) => ({
  k,
  head: `"${tag}":{"value":`,
  factor: METRICS[tag].toDisplay,
  int: METRICS[tag].value === 'int',
  tail: `,"unit":${JSON.stringify(METRICS[tag].unit)}}`,
}));

/** profile_export.jsonl from the columns, in chunks (what lineChunks writes for the same records). */
export function* columnLineChunks(c: EvaluatedColumns): Generator<string> {
  const ROWS = 4096;
  const { table, order, epochNs } = c;
  const ids = table.column('id');
  const inTok = table.column('inputTokens');
  const ns = (x: number): string => (epochNs === 0n ? String(x) : String(epochNs + BigInt(x)));
  const errorIslUnit = JSON.stringify(METRICS.error_isl.unit);
  const goodUnit = JSON.stringify(METRICS.good_request_count.unit);
  const worker = JSON.stringify('servesim-client');
  let parts: string[] = [];
  for (let k = 0; k < order.length; k++) {
    const row = order[k];
    const id = ids[row];
    parts.push(`{"metadata":{"request_num":${id},"session_num":${id},"turn_index":0,"request_start_ns":${ns(c.startNs[row])},"request_end_ns":${ns(c.endNs[row])},"worker_id":${worker},"record_processor_id":"servesim","benchmark_phase":"profiling"},"metrics":{`);
    const e = c.error(row);
    if (e) {
      parts.push(`"error_isl":{"value":${inTok[row]},"unit":${errorIslUnit}}},"error":{"code":${e.code === null ? 'null' : JSON.stringify(e.code)},"type":${JSON.stringify(e.type)},"message":${JSON.stringify(e.message)}}}\n`);
    } else {
      let sep = '';
      for (const m of LINE_METRICS) {
        const v = c.values[m.k][row];
        if (Number.isNaN(v)) continue;
        const shown = m.factor === undefined ? v : v * m.factor;
        parts.push(sep, m.head, m.int ? String(shown) : formatPyFloat(shown), m.tail);
        sep = ',';
      }
      if (c.good[row] >= 0) parts.push(`${sep}"good_request_count":{"value":${c.good[row]},"unit":${goodUnit}}`);
      parts.push('}}\n');
    }
    if ((k + 1) % ROWS === 0) {
      yield parts.join('');
      parts = [];
    }
  }
  if (parts.length > 0) yield parts.join('');
}
