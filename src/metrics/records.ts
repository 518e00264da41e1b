// Per-request records: what the benchmark client measured (TTFT, ITL, E2EL) and where the time went
// (client wait, queue, prefill, transfer, decode), built from a finished simulated request.
import type { SimRequest } from '../worker/request.ts';

export type RequestStatus = 'completed' | 'timed-out' | 'rejected';

export interface RequestRecord {
  id: number;
  status: RequestStatus;
  scheduledMs: number;
  /** When the request ended (last token, cut-off or rejection), ms. */
  endMs: number;
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens served from the prefix cache on the prefill side. */
  cachedTokens: number;
  ttftMs: number;
  e2elMs: number;
  /** (E2EL − TTFT) / (OSL − 1); NaN for a single output token. */
  itlMs: number;
  /** Waiting for one of the client's connections. */
  clientWaitMs: number;
  /** Sent → first prefill chunk scheduled (router, engine queue, batch slot, KV blocks). */
  queueMs: number;
  /** First prefill chunk → prompt done. */
  prefillMs: number;
  /** Prompt done → decode starts (decode routing, decode slot, KV transfer, next decode step). */
  transferMs: number;
  /** Decode start → last token. */
  decodeMs: number;
  prefillTarget: string;
  decodeTarget: string;
}

const gap = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? 0 : b - a);

export function recordOf(req: SimRequest, status: RequestStatus, endMs: number): RequestRecord {
  const completed = status === 'completed';
  const ttft = completed ? req.firstTokenMs - req.scheduledMs : NaN;
  const e2el = completed ? req.lastTokenMs - req.scheduledMs : NaN;
  return {
    id: req.id,
    status,
    scheduledMs: req.scheduledMs,
    endMs,
    inputTokens: req.inputTokens,
    outputTokens: req.outputTokens,
    cachedTokens: req.cachedTokens,
    ttftMs: ttft,
    e2elMs: e2el,
    itlMs: completed && req.outputTokens > 1 ? (e2el - ttft) / (req.outputTokens - 1) : NaN,
    clientWaitMs: Number.isNaN(req.sentMs) ? endMs - req.scheduledMs : req.sentMs - req.scheduledMs,
    queueMs: gap(req.sentMs, Number.isNaN(req.prefillStartMs) ? (completed ? NaN : endMs) : req.prefillStartMs),
    prefillMs: gap(req.prefillStartMs, Number.isNaN(req.prefillEndMs) ? (completed ? NaN : endMs) : req.prefillEndMs),
    transferMs: gap(req.prefillEndMs, Number.isNaN(req.decodeStartMs) ? (completed ? NaN : endMs) : req.decodeStartMs),
    decodeMs: gap(req.decodeStartMs, completed ? req.lastTokenMs : endMs),
    prefillTarget: req.prefillRank?.label ?? '',
    decodeTarget: req.decodeRank?.label ?? '',
  };
}
