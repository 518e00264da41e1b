// Per-request records built from the engine's request and its worker stays when the request ends:
// what the client measured, where the time went, and why it ended if it did not complete.
import type { RequestRecord, RequestStatus } from '../protocol/records.ts';
import type { Stay } from '../worker/stay.ts';
import type { SimRequest } from './request.ts';

const gap = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? 0 : b - a);
/** A milestone, or for a request that did not complete and never reached it, the end. */
const until = (ms: number, completed: boolean, endMs: number) => (Number.isNaN(ms) ? (completed ? NaN : endMs) : ms);

/** `label(stay)` names the (worker, rank) a stay was placed on ('' if never placed). */
export function recordOf(req: SimRequest, status: RequestStatus, endMs: number, label: (stay: Stay<SimRequest> | null) => string): RequestRecord {
  const completed = status === 'completed';
  const e = req.entry;
  const d = req.decode;
  const prefillStartMs = e ? e.firstChunkMs : NaN;
  const prefillEndMs = e ? e.promptDoneMs : NaN;
  const decodeStartMs = d ? d.decodeStartMs : e ? e.decodeStartMs : NaN;
  const ttft = completed ? req.firstTokenMs - req.scheduledMs : NaN;
  const e2el = completed ? req.lastTokenMs - req.scheduledMs : NaN;
  return {
    id: req.id,
    status,
    endReason: req.endReason,
    reason: req.reason,
    scheduledMs: req.scheduledMs,
    endMs,
    inputTokens: req.inputTokens,
    outputTokens: req.outputTokens,
    generatedTokens: completed ? req.outputTokens : ((d ?? e)?.generatedTokens ?? 0),
    responses: completed ? (d ?? e)!.responses : 0,
    cachedTokens: e ? e.cachedTokens : 0,
    ttftMs: ttft,
    e2elMs: e2el,
    itlMs: completed && req.outputTokens > 1 ? (e2el - ttft) / (req.outputTokens - 1) : NaN,
    clientWaitMs: Number.isNaN(req.sentMs) ? endMs - req.scheduledMs : req.sentMs - req.scheduledMs,
    queueMs: gap(req.sentMs, until(prefillStartMs, completed, endMs)),
    prefillMs: gap(prefillStartMs, until(prefillEndMs, completed, endMs)),
    transferMs: gap(prefillEndMs, until(decodeStartMs, completed, endMs)),
    decodeMs: gap(decodeStartMs, completed ? req.lastTokenMs : endMs),
    prefillTarget: label(e),
    decodeTarget: label(d),
  };
}
