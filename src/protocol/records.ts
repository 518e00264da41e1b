// Per-request records: what the benchmark client measured (TTFT, ITL, E2EL), where the time went
// (client wait, queue, prefill, transfer, decode) and, for a request that did not complete, why.

export type RequestStatus = 'completed' | 'timed-out' | 'rejected';

export interface RequestRecord {
  id: number;
  status: RequestStatus;
  /** Why a request did not complete ('' when it did), e.g. "timeout after 12 of 300 tokens". */
  reason: string;
  scheduledMs: number;
  /** When the request ended (last token, cut-off or rejection), ms. */
  endMs: number;
  inputTokens: number;
  outputTokens: number;
  /** Output tokens generated when the request ended (all of them when it completed). */
  generatedTokens: number;
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
