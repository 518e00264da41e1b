// Trace record types: one Mooncake-style request as the simulator sees it (immutable input of a run).

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
