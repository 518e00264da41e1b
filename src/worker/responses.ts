// The overlap scheduler's pending responses: what an iteration produced (first token, hand-off, last
// token) is handed out one executor loop later. A list reused from loop to loop (no object per response),
// and how many responses a request streams.
import type { RequestView } from '../protocol/router.ts';
import type { Stay } from './stay.ts';

export type ResponseKind = 'first' | 'handoff' | 'last';

export class Responses<R extends RequestView> {
  readonly stays: Stay<R>[] = [];
  readonly kinds: ResponseKind[] = [];
  size = 0;

  push(stay: Stay<R>, kind: ResponseKind): void {
    this.stays[this.size] = stay;
    this.kinds[this.size] = kind;
    this.size++;
  }
}

/** Responses a request of `outputTokens` streams: the first token, one every `interval` decoding steps, the last (TRT-LLM _handle_responses). */
export function streamedResponses(outputTokens: number, interval: number): number {
  if (outputTokens <= 1) return 1;
  // decoding iterations d = 1 .. outputTokens - 1; a response when d % interval == 0 or at the last one
  return 1 + Math.floor((outputTokens - 2) / interval) + 1;
}
