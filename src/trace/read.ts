// Trace reading and validation: Mooncake JSONL, each line a checked TraceRequest. A first pass checks
// every line, hashes the file and learns what the run needs to know up front (request count, sorted,
// prefix property); then the run pulls requests from a second pass as it consumes them, so memory does
// not grow with the trace. An unsorted trace is sorted as AIPerf's fixed schedule sorts it (in memory).
import { createHash } from 'node:crypto';
import { hasPrefixProperty, TRACE_ID_LIMIT } from '../kv/block-hash.ts';
import { arraySource, TRACE_BLOCK_TOKENS, type TraceRequest, type TraceSource } from '../protocol/trace.ts';
import { MAX_TIME_MS } from '../util/clock.ts';
import { inputError } from '../util/errors.ts';
import { expectObject, expectString, kindOf } from '../util/guard.ts';
import { LineReader } from './lines.ts';
import { CompactPrefixScan } from '../kv/prefix-scan.ts';

/** Longest prompt or output a trace line may give (TensorRT-LLM's SizeType32). */
const MAX_TOKENS = 2 ** 31 - 1;

/** The fields servesim reads: Mooncake's four, and the two that Dynamo datagen's synthesized rows add. */
const READ_FIELDS = 'timestamp, input_length, output_length, hash_ids (and context_len, unique_user_prompt_len)';

/** Why a field of AIPerf's mooncake_trace format that servesim does not model is refused. */
function unmodelled(field: string): string {
  switch (field) {
    case 'session_id':
    case 'delay':
      return `multi-turn traces (AIPerf groups a session_id's lines into one conversation, each turn sent \`delay\` ms after the previous one ends) are not modelled: servesim replays every line on its own at its timestamp; give each line a timestamp and drop session_id and delay`;
    case 'text_input':
    case 'messages':
    case 'tools':
      return `literal prompts are not modelled: servesim simulates token counts, so give input_length and hash_ids instead`;
    case 'headers':
      return 'per-request HTTP headers are not modelled (servesim has no HTTP layer to route on them)';
    default:
      return `not a mooncake_trace field (AIPerf ignores unknown fields; servesim refuses them rather than drop a misspelt or unmodelled one silently): servesim reads ${READ_FIELDS}`;
  }
}

/** Refuse any field servesim does not read, naming the first (AIPerf's optional fields given null are absent, as in AIPerf). */
function checkFields(r: Record<string, unknown>, f: (field: string, what: string) => Error): void {
  for (const k in r) {
    switch (k) {
      case 'timestamp':
      case 'input_length':
      case 'output_length':
      case 'hash_ids':
      case 'context_len':
      case 'unique_user_prompt_len':
        continue;
      case 'type':
        // AIPerf's discriminator of its custom dataset types
        if (r.type === 'mooncake_trace') continue;
        throw f('type', `must be "mooncake_trace" (the only AIPerf dataset type servesim reads) when given, got ${JSON.stringify(r.type)}`);
      case 'session_id':
      case 'delay':
      case 'text_input':
      case 'messages':
      case 'tools':
      case 'headers':
        if (r[k] === null) continue;
    }
    throw f(k, unmodelled(k));
  }
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** Parse and validate one JSONL line (request `id`: its 0-based position among the file's requests). */
export function parseTraceLine(text: string, where: { file: string; line: number }, id: number, blockTokens = TRACE_BLOCK_TOKENS): TraceRequest {
  if (typeof text !== 'string' || where === null || typeof where !== 'object') {
    expectString(text, 'parseTraceLine', 'text');
    expectObject(where, 'parseTraceLine', 'where');
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw inputError(where, `not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw inputError(where, 'not a JSON object');
  const r = obj as Record<string, unknown>;
  const f = (field: string, what: string) => inputError({ ...where, field }, what);

  checkFields(r, f);
  checkRequestFields(r.timestamp, r.input_length, r.output_length, r.hash_ids, r.context_len, r.unique_user_prompt_len, LINE_FIELDS, f, blockTokens);
  const req: TraceRequest = { id, timestampMs: r.timestamp as number, inputTokens: r.input_length as number, outputTokens: r.output_length as number, hashIds: r.hash_ids as number[] };
  if (r.context_len !== undefined) req.contextTokens = r.context_len as number;
  if (r.unique_user_prompt_len !== undefined) req.uniqueUserPromptTokens = r.unique_user_prompt_len as number;
  return req;
}

/** A value in a message: JSON, but NaN and Infinity (a TraceRequest may hold them) as themselves. */
const shown = (v: unknown): string => (typeof v === 'number' ? String(v) : JSON.stringify(v));

/** What a request's fields are called where they are checked: a trace line's, or a TraceRequest's. */
interface FieldNames {
  timestamp: string;
  input: string;
  output: string;
  hashIds: string;
  context: string;
  unique: string;
}
const LINE_FIELDS: FieldNames = { timestamp: 'timestamp', input: 'input_length', output: 'output_length', hashIds: 'hash_ids', context: 'context_len', unique: 'unique_user_prompt_len' };
const REQUEST_FIELDS: FieldNames = { timestamp: 'timestampMs', input: 'inputTokens', output: 'outputTokens', hashIds: 'hashIds', context: 'contextTokens', unique: 'uniqueUserPromptTokens' };

/** The per-field rules of a request (a trace line's or a TraceRequest's): `f`'s error for the first bad field. */
function checkRequestFields(ts: unknown, isl: unknown, osl: unknown, ids: unknown, context: unknown, unique: unknown, n: FieldNames, f: (field: string, what: string) => Error, blockTokens: number): void {
  if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < 0) throw f(n.timestamp, `must be a number of ms >= 0, got ${shown(ts)}`);
  if (ts > MAX_TIME_MS) throw f(n.timestamp, `${ts} is beyond 2^43 ms (~278 years), where the simulated clock loses ms fractions; give milliseconds (e.g. since the trace start)`);
  if (!isNonNegInt(isl) || isl < 1) throw f(n.input, `must be a positive integer, got ${shown(isl)}`);
  if (isl > MAX_TOKENS) throw f(n.input, `${isl} is above 2^31 - 1 tokens, the most TensorRT-LLM holds (32-bit lengths)`);
  if (!isNonNegInt(osl) || osl < 1) throw f(n.output, `must be a positive integer, got ${shown(osl)}`);
  if (osl > MAX_TOKENS) throw f(n.output, `${osl} is above 2^31 - 1 tokens, the most TensorRT-LLM holds (32-bit lengths)`);
  if (!Array.isArray(ids)) throw f(n.hashIds, 'must be an array of non-negative integers');
  for (let i = 0; i < ids.length; i++) {
    const v: unknown = ids[i];
    if (Number.isSafeInteger(v) && (v as number) >= 0) continue;
    if (!isNonNegInt(v)) throw f(n.hashIds, `element ${i} must be a non-negative integer, got ${shown(v)}`);
    throw f(n.hashIds, `element ${i} (${v}) is above 2^53 - 1: ids that large are not read exactly and would collide`);
  }
  const expected = Math.ceil(isl / blockTokens);
  if (ids.length !== expected) {
    throw f(n.hashIds, `has ${ids.length} ids but ${n.input} ${isl} needs ceil(${isl}/${blockTokens}) = ${expected}`);
  }
  if (context !== undefined && (!isNonNegInt(context) || context > isl)) throw f(n.context, `must be an integer in [0, ${n.input}], got ${shown(context)}`);
  if (unique !== undefined && !isNonNegInt(unique)) throw f(n.unique, `must be a non-negative integer, got ${shown(unique)}`);
}

const REQUEST_KEYS = new Set(['id', ...Object.values(REQUEST_FIELDS)]);

/**
 * Check a TraceRequest given by a library caller, `list[index]` (e.g. `simulate: requests`, 3), by the
 * trace reader's rules; unknown keys are refused as a trace line's are.
 */
export function checkTraceRequest(r: unknown, list: string, index: number): void {
  const f = (field: string, what: string) => inputError({ file: `${list}[${index}]`, field }, what);
  if (r === null || typeof r !== 'object' || Array.isArray(r)) throw inputError({ file: `${list}[${index}]` }, `must be a TraceRequest object, got ${kindOf(r)}`);
  const o = r as Record<string, unknown>;
  for (const k in o) if (!REQUEST_KEYS.has(k)) throw f(k, `not a TraceRequest field: give ${[...REQUEST_KEYS].join(', ')}`);
  if (!isNonNegInt(o.id)) throw f('id', `must be a non-negative integer, got ${shown(o.id)}`);
  checkRequestFields(o.timestampMs, o.inputTokens, o.outputTokens, o.hashIds, o.contextTokens, o.uniqueUserPromptTokens, REQUEST_FIELDS, f, TRACE_BLOCK_TOKENS);
}

/** What the first pass over a trace file learned. */
export interface TraceScan {
  file: string;
  requests: number;
  /** Timestamps never decrease (else the trace is sorted in memory, as AIPerf sorts it). */
  sorted: boolean;
  /** Its hash ids keep the prefix property (see BlockKeyer). */
  prefixProperty: boolean;
  sha256: string;
}

/** Every non-blank line of `file` as a checked request, in file order. */
function* requestsOf(file: string, blockTokens: number, onBytes?: (b: Buffer) => void): Generator<TraceRequest> {
  const lines = new LineReader(file, onBytes);
  let id = 0;
  for (let text = lines.read(); text !== undefined; text = lines.read()) {
    if (text.trim() === '') continue;
    yield parseTraceLine(text, { file, line: lines.line }, id++, blockTokens);
  }
}

/** First pass: check every line, count, hash, learn whether sorted and whether ids keep the prefix property. */
export function scanTrace(file: string, blockTokens = TRACE_BLOCK_TOKENS): TraceScan {
  const hash = createHash('sha256');
  const prefix = new CompactPrefixScan(TRACE_ID_LIMIT);
  let requests = 0;
  let sorted = true;
  let prev = -Infinity;
  for (const r of requestsOf(file, blockTokens, (b) => hash.update(b))) {
    requests++;
    if (r.timestampMs < prev) sorted = false;
    prev = r.timestampMs;
    prefix.add(r.hashIds);
  }
  if (requests === 0) throw inputError({ file }, 'contains no requests');
  return { file, requests, sorted, prefixProperty: prefix.holds, sha256: hash.digest('hex') };
}

/** Sorted by timestamp, ties in file order (AIPerf's fixed schedule sorts its entries). */
function sortBySchedule(requests: TraceRequest[]): TraceRequest[] {
  return requests.sort((a, b) => a.timestampMs - b.timestampMs || a.id - b.id);
}

/** The whole trace in memory, in schedule order. */
export function readTrace(file: string, blockTokens = TRACE_BLOCK_TOKENS): TraceRequest[] {
  const out = [...requestsOf(file, blockTokens)];
  if (out.length === 0) throw inputError({ file }, 'contains no requests');
  return sortBySchedule(out);
}

/** Second pass: the requests of a scanned trace, read as the run takes them (in memory if unsorted). */
export function traceSource(scan: TraceScan, blockTokens = TRACE_BLOCK_TOKENS): TraceSource {
  if (!scan.sorted) return checked(arraySource(readTrace(scan.file, blockTokens)));
  const it = requestsOf(scan.file, blockTokens);
  let head: TraceRequest | undefined = it.next().value ?? undefined;
  return checked({
    length: scan.requests,
    peek: () => head,
    take: () => {
      const r = head;
      head = it.next().value ?? undefined;
      return r;
    },
  });
}

/** The sources traceSource made: every request they give was checked as it was read. */
const readerSources = new WeakSet<TraceSource>();
function checked(source: TraceSource): TraceSource {
  readerSources.add(source);
  return source;
}

/** Whether `source` reads a trace file through the reader (its requests need no second check). */
export const isReaderSource = (source: TraceSource): boolean => readerSources.has(source);

export { hasPrefixProperty };
