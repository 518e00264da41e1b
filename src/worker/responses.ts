// The overlap scheduler's pending responses: what an iteration produced (first token, hand-off, last
// token) is handed out one executor loop later. A list reused from loop to loop (no object per response).
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
