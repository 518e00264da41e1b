// Trace reading and validation: Mooncake JSONL, each line a checked TraceRequest. A first pass checks
// every line, hashes the file and learns what the run needs to know up front (request count, sorted,
// prefix property); then the run pulls requests from a second pass as it consumes them, so memory does
// not grow with the trace. An unsorted trace is sorted as AIPerf's fixed schedule sorts it (in memory).
import { createHash } from 'node:crypto';
import { hasPrefixProperty, TRACE_ID_LIMIT } from '../kv/block-hash.ts';
import { arraySource, TRACE_BLOCK_TOKENS, type TraceRequest, type TraceSource } from '../protocol/trace.ts';
import { MAX_TIME_MS } from '../util/clock.ts';
import { inputError } from '../util/errors.ts';
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
  const ts = r.timestamp;
  if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < 0) throw f('timestamp', `must be a number of ms >= 0, got ${JSON.stringify(ts)}`);
  if (ts > MAX_TIME_MS) throw f('timestamp', `${ts} is beyond 2^43 ms (~278 years), where the simulated clock loses ms fractions; give milliseconds (e.g. since the trace start)`);
  const isl = r.input_length;
  if (!isNonNegInt(isl) || isl < 1) throw f('input_length', `must be a positive integer, got ${JSON.stringify(isl)}`);
  if (isl > MAX_TOKENS) throw f('input_length', `${isl} is above 2^31 - 1 tokens, the most TensorRT-LLM holds (32-bit lengths)`);
  const osl = r.output_length;
  if (!isNonNegInt(osl) || osl < 1) throw f('output_length', `must be a positive integer, got ${JSON.stringify(osl)}`);
  if (osl > MAX_TOKENS) throw f('output_length', `${osl} is above 2^31 - 1 tokens, the most TensorRT-LLM holds (32-bit lengths)`);
  const ids = r.hash_ids;
  if (!Array.isArray(ids)) throw f('hash_ids', 'must be an array of non-negative integers');
  for (let i = 0; i < ids.length; i++) {
    if (!isNonNegInt(ids[i])) throw f('hash_ids', `element ${i} must be a non-negative integer, got ${JSON.stringify(ids[i])}`);
    if (ids[i] > Number.MAX_SAFE_INTEGER) throw f('hash_ids', `element ${i} (${ids[i]}) is above 2^53 - 1: ids that large are not read exactly and would collide`);
  }
  const expected = Math.ceil(isl / blockTokens);
  if (ids.length !== expected) {
    throw f('hash_ids', `has ${ids.length} ids but input_length ${isl} needs ceil(${isl}/${blockTokens}) = ${expected}`);
  }
  const req: TraceRequest = { id, timestampMs: ts, inputTokens: isl, outputTokens: osl, hashIds: ids as number[] };
  if (r.context_len !== undefined) {
    if (!isNonNegInt(r.context_len) || r.context_len > isl) throw f('context_len', `must be an integer in [0, input_length], got ${JSON.stringify(r.context_len)}`);
    req.contextTokens = r.context_len;
  }
  if (r.unique_user_prompt_len !== undefined) {
    if (!isNonNegInt(r.unique_user_prompt_len)) throw f('unique_user_prompt_len', `must be a non-negative integer, got ${JSON.stringify(r.unique_user_prompt_len)}`);
    req.uniqueUserPromptTokens = r.unique_user_prompt_len;
  }
  return req;
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
  if (!scan.sorted) return arraySource(readTrace(scan.file, blockTokens));
  const it = requestsOf(scan.file, blockTokens);
  let head: TraceRequest | undefined = it.next().value ?? undefined;
  return {
    length: scan.requests,
    peek: () => head,
    take: () => {
      const r = head;
      head = it.next().value ?? undefined;
      return r;
    },
  };
}

export { hasPrefixProperty };
