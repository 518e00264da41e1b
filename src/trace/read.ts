// Trace reading and validation: streams Mooncake JSONL and turns each line into a checked TraceRequest.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { inputError } from '../util/errors.ts';
import { TRACE_BLOCK_TOKENS, type TraceRequest } from '../protocol/trace.ts';

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/**
 * Parse and validate one JSONL line. `prevTimestampMs` enforces a sorted trace (a fixed schedule
 * replays in file order; an unsorted file is almost always a mistake, so it is rejected).
 */
export function parseTraceLine(
  text: string,
  where: { file: string; line: number },
  id: number,
  prevTimestampMs: number,
  blockTokens = TRACE_BLOCK_TOKENS,
): TraceRequest {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw inputError(where, `not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw inputError(where, 'not a JSON object');
  const r = obj as Record<string, unknown>;
  const f = (field: string, what: string) => inputError({ ...where, field }, what);

  const ts = r.timestamp;
  if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < 0) throw f('timestamp', `must be a number of ms >= 0, got ${JSON.stringify(ts)}`);
  if (ts < prevTimestampMs) throw f('timestamp', `decreases (${ts} after ${prevTimestampMs}); the trace must be sorted by time`);
  const isl = r.input_length;
  if (!isNonNegInt(isl) || isl < 1) throw f('input_length', `must be a positive integer, got ${JSON.stringify(isl)}`);
  const osl = r.output_length;
  if (!isNonNegInt(osl) || osl < 1) throw f('output_length', `must be a positive integer, got ${JSON.stringify(osl)}`);
  const ids = r.hash_ids;
  if (!Array.isArray(ids)) throw f('hash_ids', 'must be an array of non-negative integers');
  for (let i = 0; i < ids.length; i++) {
    if (!isNonNegInt(ids[i])) throw f('hash_ids', `element ${i} must be a non-negative integer, got ${JSON.stringify(ids[i])}`);
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

/** Stream a trace file line by line; blank lines are skipped. Throws InputError on the first bad line. */
export async function* streamTrace(file: string, blockTokens = TRACE_BLOCK_TOKENS): AsyncGenerator<TraceRequest> {
  if (!existsSync(file)) throw inputError({ file }, 'no such file');
  if (!statSync(file).isFile()) throw inputError({ file }, 'not a regular file');
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  let id = 0;
  let prev = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() === '') continue;
    const req = parseTraceLine(text, { file, line }, id++, prev, blockTokens);
    prev = req.timestampMs;
    yield req;
  }
  if (id === 0) throw inputError({ file }, 'contains no requests');
}

export async function readTrace(file: string, blockTokens = TRACE_BLOCK_TOKENS): Promise<TraceRequest[]> {
  const out: TraceRequest[] = [];
  for await (const r of streamTrace(file, blockTokens)) out.push(r);
  return out;
}
