// Where a request was on the server when the client cut it off, and that stage in words.
import type { EndReason } from '../protocol/records.ts';
import type { SimRequest } from './request.ts';

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
