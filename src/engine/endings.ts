// A request's endings: where it was on the server when the client cut it off (and that stage in
// words), the live stays a cut-off frees, and the (worker, rank) label a record names.
import type { EndReason } from '../protocol/records.ts';
import type { Stay } from '../worker/stay.ts';
import type { Worker } from '../worker/worker.ts';
import type { Pool } from './pools.ts';
import type { SimRequest } from './request.ts';

/** The request's live stays with the worker each is on. */
export function liveStays(req: SimRequest, entry: Pool, decode: Pool | null): [Stay<SimRequest>, Worker<SimRequest>][] {
  const out: [Stay<SimRequest>, Worker<SimRequest>][] = [];
  if (req.entry?.live) out.push([req.entry, entry.workers[req.entry.worker]]);
  if (req.decode?.live) out.push([req.decode, decode!.workers[req.decode.worker]]);
  return out;
}

/** The (worker, rank) a stay was placed on, e.g. "prefill0.r3" ('' if never placed). */
export function stayLabel(stay: Stay<SimRequest> | null, entry: Pool, decode: Pool | null): string {
  if (!stay || stay.rank < 0) return '';
  const pool = stay === stay.req.decode ? decode! : entry;
  return pool.workers[stay.worker].ranks[stay.rank].label;
}

export const STAGE_WORDS: Partial<Record<EndReason, string>> = {
  'timeout:queue': 'while queued for a batch slot',
  'timeout:prefill': 'during prefill',
  'timeout:transfer': 'between prefill and decode',
  'timeout:decode': 'while decoding',
};

/** Where a request was on the server when the client cut it off. */
export function timeoutStage(req: SimRequest): EndReason {
  const d = req.decode;
  if (d) return d.phase === 'decode' || d.phase === 'finishing' ? 'timeout:decode' : 'timeout:transfer';
  const e = req.entry;
  if (!e || e.phase === 'queued' || e.phase === 'waiting') return 'timeout:queue';
  if (e.phase === 'prefill') return 'timeout:prefill';
  return e.phase === 'decode' || e.phase === 'finishing' ? 'timeout:decode' : 'timeout:transfer';
}
