// Benchmark client (AIPerf fixed schedule): each request is issued at its trace timestamp; at most
// `connectionLimit` are in flight, the rest wait FIFO for a connection (that wait counts in TTFT and
// E2EL, whose clock starts at the scheduled time); requests not finished `timeoutMs` after their
// scheduled time are cut off.

export interface ClientConfig {
  connectionLimit: number;
  timeoutMs: number;
}

export class BenchmarkClient<T> {
  inFlight = 0;
  /** Most requests in flight at once. */
  peakInFlight = 0;
  /** Most requests waiting for a connection at once. */
  peakWaiting = 0;
  private readonly waiting: (T | null)[] = [];
  private head = 0;
  private waitingCount = 0;

  constructor(readonly config: ClientConfig) {}

  get waitingRequests(): number {
    return this.waitingCount;
  }

  /** The scheduled time of `req` has come: true if it may be sent now, else it waits for a connection. */
  issue(req: T): boolean {
    if (this.inFlight < this.config.connectionLimit && this.waitingCount === 0) {
      this.acquire();
      return true;
    }
    this.waiting.push(req);
    this.waitingCount++;
    if (this.waitingCount > this.peakWaiting) this.peakWaiting = this.waitingCount;
    return false;
  }

  /** A request in flight ended (response, error or cut-off): returns the next waiting request to send, if any. */
  release(): T | null {
    if (this.inFlight <= 0) throw new Error('client connection released twice');
    this.inFlight--;
    while (this.head < this.waiting.length) {
      const next = this.waiting[this.head];
      this.waiting[this.head++] = null;
      if (next === null) continue;
      this.waitingCount--;
      this.acquire();
      if (this.head > 4096 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      return next;
    }
    return null;
  }

  /** A waiting request timed out before getting a connection. */
  dropWaiting(req: T): void {
    const i = this.waiting.indexOf(req, this.head);
    if (i < 0) throw new Error('request is not waiting in the client');
    this.waiting[i] = null;
    this.waitingCount--;
  }

  private acquire(): void {
    this.inFlight++;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
  }
}
