// The checks of a RunInput at the library's boundary (simulate, runSliced): every option, the scenario
// again (it may have been built or changed by hand) and every request by the trace reader's rules,
// each problem one InputError line naming the call and the field. O(requests) on an array; a source
// the trace reader made is checked as it reads, any other source as the run takes its requests.
import { z } from 'zod';
import { provenanceSchema, schemaProblem } from '../protocol/run-schema.ts';
import { ROLES } from '../protocol/roles.ts';
import type { TraceRequest, TraceSource } from '../protocol/trace.ts';
import { recheckScenario } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { checkTraceRequest, isReaderSource } from '../trace/read.ts';
import { inputError } from '../util/errors.ts';
import { argError, expectObject, kindOf } from '../util/guard.ts';

const runInputSchema = z.strictObject({
  scenario: z.unknown().optional(),
  requests: z.unknown().optional(),
  prefixProperty: z.boolean().optional(),
  seed: z.string(),
  workload: z.string(),
  calibration: z.record(z.string(), z.number()).optional(),
  routers: z.partialRecord(z.enum(ROLES as [string, ...string[]]), z.custom((v) => typeof v === 'function', 'must be a router factory (a function)')).optional(),
  provenance: provenanceSchema.optional(),
  compact: z.boolean().optional(),
});

/** `input` checked as `call` (simulate / runSliced) takes it: the scenario as checked (defaults filled in)
 *  and the requests as the run should read them. */
export function checkRunInput(input: unknown, call: string): { scenario: Scenario; requests: readonly TraceRequest[] | TraceSource } {
  expectObject(input, call, 'input');
  const o = input as { scenario?: unknown; requests?: unknown };
  const scenario = recheckScenario(o.scenario, call);
  const bad = schemaProblem(runInputSchema, input);
  if (bad) throw inputError({ file: call, field: bad.field }, bad.field.includes('.') || bad.what !== 'unknown key' ? bad.what : `unknown option; give ${Object.keys(runInputSchema.shape).join(', ')}`);
  const requests = o.requests;
  if (Array.isArray(requests)) {
    checkRequestArray(requests, `${call}: requests`);
    return { scenario, requests };
  }
  return { scenario, requests: checkedSource(requests, call, `${call}: requests`) };
}

/** Every request of an array: the reader's per-field rules, ids given once, sends in timestamp order. */
function checkRequestArray(requests: readonly unknown[], list: string): void {
  const check = requestCheck(list);
  for (let i = 0; i < requests.length; i++) check(requests[i]);
}

/** A check of the requests of a list in send order: the reader's per-field rules, each id once, timestamps never decreasing. */
function requestCheck(list: string): (r: unknown) => void {
  const ids = new Set<number>();
  let n = 0;
  let prev = 0;
  return (r) => {
    checkTraceRequest(r, list, n);
    const { id, timestampMs } = r as TraceRequest;
    if (ids.has(id)) throw inputError({ file: `${list}[${n}]`, field: 'id' }, `${id} is the id of an earlier request: give each request its own id`);
    if (timestampMs < prev) throw inputError({ file: `${list}[${n}]`, field: 'timestampMs' }, `${timestampMs} is before the previous request's ${prev}: requests are sent in order, so sort them by timestampMs (loadTrace returns them sorted)`);
    ids.add(id);
    prev = timestampMs;
    n++;
  };
}

/** A TraceSource as the run should read it: the reader's own as it is, any other checked request by request as the run reads it. */
function checkedSource(source: unknown, call: string, list: string): TraceSource {
  const s = source as Partial<TraceSource> | null;
  if (s === null || typeof s !== 'object' || typeof s.peek !== 'function' || typeof s.take !== 'function') throw argError(call, 'requests', 'an array of TraceRequests or a TraceSource (peek, take, length)', source);
  if (!Number.isInteger(s.length) || s.length! < 0) throw inputError({ file: list, field: 'length' }, `must be a non-negative integer (the requests the source holds), got ${kindOf(s.length)}`);
  const src = s as TraceSource;
  if (isReaderSource(src)) return src;
  const check = requestCheck(list);
  let seen: TraceRequest | undefined;
  const checked = (r: TraceRequest | undefined): TraceRequest | undefined => {
    if (r !== undefined && r !== seen) check((seen = r));
    return r;
  };
  return { length: src.length, peek: () => checked(src.peek()), take: () => checked(src.take()) };
}
