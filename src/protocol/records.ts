// Per-request records: what the benchmark client measured (TTFT, ITL, E2EL), where the time went
// (client wait, queue, prefill, transfer, decode) and, for a request that did not complete, why.

export type RequestStatus = 'completed' | 'timed-out' | 'rejected';

/**
 * Why a request did not complete: refused at once by the engine (prompt + output over max_seq_len, a
 * whole prompt over max_num_tokens without chunked prefill, more KV than a rank holds, a context
 * larger than a NIXL transfer buffer), or cut off by the client's timeout while waiting for a
 * connection, queued for a batch slot, in prefill, between prefill and decode, or decoding.
 */
export type EndReason =
  | 'max_seq_len'
  | 'max_num_tokens'
  | 'kv_capacity'
  | 'transfer_buffer'
  | 'timeout:client'
  | 'timeout:queue'
  | 'timeout:prefill'
  | 'timeout:transfer'
  | 'timeout:decode';

export interface RequestRecord {
  id: number;
  status: RequestStatus;
  /** Why a request did not complete (null when it did) and the same in words. */
  endReason: EndReason | null;
  reason: string;
  scheduledMs: number;
  /** When the request ended (last token, cut-off or rejection), ms. */
  endMs: number;
  inputTokens: number;
  outputTokens: number;
  /** Output tokens generated when the request ended (all of them when it completed). */
  generatedTokens: number;
  /** Streamed responses (SSE chunks) of a completed request: the first token, every stream_interval tokens, the last. */
  responses: number;
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
