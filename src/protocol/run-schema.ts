// The shape of a run folder's files as read back (summary.json, requests.jsonl lines): every field the
// Summary and RequestRecord types declare, with its JSON type (a NaN of memory is null in the file).
// Keys the types do not declare are let through, so a newer servesim's files still read.
import { z } from 'zod';
import type { EndReason, RequestRecord } from './records.ts';
import type { Provenance, RoutingTargetRow, Stat, Summary, WorkerSummary } from './summary.ts';

const num = z.number();
const count = z.number().int().nonnegative();
/** A figure that is NaN (null in JSON) when no request gives it a value. */
const maybe = z.number().nullable();
const str = z.string();
type Shape<T> = Record<keyof T, z.ZodType>;

const END_REASONS = ['max_seq_len', 'max_num_tokens', 'kv_capacity', 'transfer_buffer', 'timeout:client', 'timeout:queue', 'timeout:prefill', 'timeout:transfer', 'timeout:decode'] as const satisfies readonly EndReason[];

/** A Stat (latency statistics), also kept in a sweep's point files. */
export const statSchema = z.object({ count, mean: maybe, std: maybe, min: maybe, max: maybe, median: maybe, p1: maybe, p5: maybe, p10: maybe, p25: maybe, p75: maybe, p90: maybe, p95: maybe, p99: maybe } satisfies Shape<Stat>);

const worker = z.object({
  workers: count,
  ranksPerWorker: count,
  iterations: count,
  busyFraction: num,
  prefillIterationFraction: num,
  meanPrefillIterationMs: num,
  meanDecodeIterationMs: num,
  kvCapacityBlocksPerRank: num,
} satisfies Shape<WorkerSummary>);

const routingRow = z.object({ target: str, requests: count, promptTokens: count, cachedTokens: count, hitRate: num, busyFraction: num } satisfies Shape<RoutingTargetRow>);

export const provenanceSchema = z.object({
  servesimVersion: str,
  command: str,
  seed: str,
  scenarioFile: str.nullable(),
  scenario: z.unknown(),
  workload: z.union([z.object({ name: str, params: z.record(str, num) }), z.object({ trace: str, sha256: str })]),
} satisfies Shape<Provenance>);

export const summarySchema = z.object({
  scenario: str,
  seed: str,
  workload: str,
  run: provenanceSchema.optional(),
  requests: z.object({ issued: count, completed: count, timedOut: count, rejected: count }),
  noneCompleted: str.optional(),
  interrupted: z.object({ signal: str, simulatedS: num, inFlight: count, notSent: count }).optional(),
  gpus: count,
  outputTokenThroughputPerGpu: num,
  outputTokenThroughputPerUser: num,
  load: str,
  endReasons: z.partialRecord(z.enum(END_REASONS), count),
  durationS: num,
  requestThroughput: num,
  outputTokenThroughput: num,
  totalTokenThroughput: num,
  ttftMs: statSchema,
  tpotMs: statSchema,
  itlMs: statSchema,
  e2elMs: statSchema,
  // an SLO --goodput leaves out is not judged: Infinity in memory, null in the file
  goodput: z.object({ ttftMs: maybe, itlMs: maybe, requests: count, requestThroughput: maybe }).nullable(),
  breakdownMs: z.object({ clientWait: num, queue: num, prefill: num, transfer: num, decode: num }),
  clientWaitedFraction: num,
  kvCache: z.object({ hitRate: z.record(str, num), evictedBlocks: z.record(str, num) }),
  workers: z.record(str, worker),
  client: z.object({ peakInFlight: count, peakWaiting: count }),
  router: z.record(str, str),
  routing: z.record(str, z.array(routingRow)),
  modelNotes: z.array(str),
  simulation: z.object({ events: count, simulatedS: num }),
} satisfies Shape<Summary>);

export const recordSchema = z.object({
  id: count,
  status: z.enum(['completed', 'timed-out', 'rejected']),
  endReason: z.enum(END_REASONS).nullable(),
  reason: str,
  scheduledMs: num,
  endMs: num,
  inputTokens: count,
  outputTokens: count,
  generatedTokens: count,
  responses: count,
  cachedTokens: count,
  ttftMs: maybe,
  e2elMs: maybe,
  itlMs: maybe,
  clientWaitMs: num,
  queueMs: num,
  prefillMs: num,
  transferMs: num,
  decodeMs: num,
  prefillTarget: str,
  decodeTarget: str,
} satisfies Shape<RequestRecord>);

/** Where `value` departs from `schema`: the dotted field ('(root)' for the whole value) and what is wrong; null when it fits. */
export function schemaProblem(schema: z.ZodType, value: unknown): { field: string; what: string } | null {
  const r = schema.safeParse(value);
  if (r.success) return null;
  const issue = r.error.issues[0];
  if (issue.code === 'unrecognized_keys') return { field: [...issue.path, issue.keys[0]].map(String).join('.'), what: 'unknown key' };
  const field = issue.path.map(String).join('.') || '(root)';
  let at: unknown = value;
  for (const k of issue.path) at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[k] : undefined;
  const message = issue.message.replace(/^Invalid input: /, '');
  const what = at === undefined && issue.code === 'invalid_type' ? `missing (${message.replace(/, received undefined$/, '')})` : message;
  return { field, what };
}
