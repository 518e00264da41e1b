// Trace record types: one Mooncake-style request as the simulator sees it (immutable input of a run).

/** Requests in schedule order, read as the simulation consumes them (an array, or a file streamed). */
export interface TraceSource {
  /** The next request, not taken (undefined at the end). */
  peek(): TraceRequest | undefined;
  take(): TraceRequest | undefined;
  /** Requests the source holds. */
  readonly length: number;
}

/** A TraceSource over an array. */
export function arraySource(requests: readonly TraceRequest[]): TraceSource {
  let i = 0;
  return { peek: () => requests[i], take: () => requests[i++], length: requests.length };
}

/** Tokens per trace hash id in Mooncake-style traces (datagen default). */
export const TRACE_BLOCK_TOKENS = 512;

export interface TraceRequest {
  /** 0-based position in the trace (stable request id). */
  id: number;
  /** Scheduled send time, ms since the trace start. */
  timestampMs: number;
  inputTokens: number;
  outputTokens: number;
  /** One id per `TRACE_BLOCK_TOKENS`-token block of the prompt; equal ids = equal prefix. */
  hashIds: number[];
  /** Tokens of the path through the shared prefix tree (datagen rows carry it). */
  contextTokens?: number;
  /** input − context (datagen rows carry it). */
  uniqueUserPromptTokens?: number;
}
