// The KV cache transceiver between prefill and decode ranks (TensorRT-LLM CacheTransBufferManager):
// each rank has pre-allocated transfer buffers — 2 send buffers on a prefill rank, 1 receive buffer on
// a decode rank (TRTLLM_KVCACHE_SEND_MAX_CONCURRENCY_NUM, TRTLLM_KVCACHE_RECV_BUFFER_COUNT defaults) — and
// a transfer waits until both ends have one free, first come first served. A context larger than
// max_tokens_in_buffer goes through the buffer in several rounds (UCX, MPI) at the same bandwidth.
import { TRANSFER_RECV_BUFFERS, TRANSFER_SEND_BUFFERS } from '../cost/worker-cost.ts';
import type { Stay } from '../worker/stay.ts';
import type { SimRequest } from './request.ts';

interface Pending {
  req: SimRequest;
  durationMs: number;
}

export class Transceiver {
  /** Transfers in flight per prefill rank / decode rank key (worker and rank packed in one number). */
  private readonly sending = new Map<number, number>();
  private readonly receiving = new Map<number, number>();
  private readonly waiting: Pending[] = [];

  constructor(private readonly start: (req: SimRequest, durationMs: number) => void) {}

  private static key(stay: Stay<SimRequest>): number {
    return stay.worker * 2 ** 21 + stay.rank;
  }

  /** A decode rank took `req` and asks for its KV (a transfer of `durationMs` once both ends have a buffer). */
  request(req: SimRequest, durationMs: number): void {
    this.waiting.push({ req, durationMs });
    this.pump();
  }

  /** A transfer finished or a request was cut off: free its buffers and start what now fits. */
  release(req: SimRequest): void {
    if (req.transferInFlight) {
      req.transferInFlight = false;
      this.add(this.sending, Transceiver.key(req.entry!), -1);
      this.add(this.receiving, Transceiver.key(req.decode!), -1);
    } else {
      const i = this.waiting.findIndex((p) => p.req === req);
      if (i >= 0) this.waiting.splice(i, 1);
    }
    this.pump();
  }

  private pump(): void {
    for (let i = 0; i < this.waiting.length; i++) {
      const { req, durationMs } = this.waiting[i];
      const s = Transceiver.key(req.entry!);
      const r = Transceiver.key(req.decode!);
      if ((this.sending.get(s) ?? 0) >= TRANSFER_SEND_BUFFERS || (this.receiving.get(r) ?? 0) >= TRANSFER_RECV_BUFFERS) continue;
      this.waiting.splice(i--, 1);
      this.add(this.sending, s, 1);
      this.add(this.receiving, r, 1);
      req.transferInFlight = true;
      this.start(req, durationMs);
    }
  }

  private add(m: Map<number, number>, k: number, d: number): void {
    m.set(k, (m.get(k) ?? 0) + d);
  }

  /** Nothing waiting or in flight (end-of-run accounting). */
  get idle(): boolean {
    if (this.waiting.length > 0) return false;
    for (const n of this.sending.values()) if (n !== 0) return false;
    return true;
  }
}
