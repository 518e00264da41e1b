// The engine's request: the trace row, its prompt's KV block chain, and the client-side facts the
// run loop keeps (sent, first and last token, ending); each worker stay holds the rest.
import { blocksInUnits } from '../kv/block-cache.ts';
import type { EndReason, RequestStatus } from '../protocol/records.ts';
import type { RequestView } from '../protocol/router.ts';
import type { TraceRequest } from '../protocol/trace.ts';
import type { Stay } from '../worker/stay.ts';

export type RequestState = 'scheduled' | 'client-wait' | 'sent' | RequestStatus;

export class SimRequest implements RequestView {
  state: RequestState = 'scheduled';
  /** Keys of the prompt's full engine blocks in units of `blocksPerKey` (set when the request is sent). */
  blockHashes: readonly number[] = [];
  blocksPerKey = 1;
  /** Engine blocks in the last unit. */
  lastKeyBlocks = 1;
  // milestones seen by the client, ms (NaN = not reached)
  sentMs = NaN;
  firstTokenMs = NaN;
  lastTokenMs = NaN;
  /** Why it was refused or cut off (null otherwise), and in words. */
  endReason: EndReason | null = null;
  reason = '';
  /** Its stay on the agg/prefill worker and on the decode worker. */
  entry: Stay<SimRequest> | null = null;
  decode: Stay<SimRequest> | null = null;
  /** Routed by the entry / decode router and not yet released there; prefill completion told. */
  entryRouted = false;
  decodeRouted = false;
  prefillDoneTold = false;
  /** Its KV transfer holds transceiver buffers (running, not waiting for them). */
  transferInFlight = false;

  /** The trace row's id and lengths, copied (read on every iteration). */
  readonly id: number;
  readonly inputTokens: number;
  readonly outputTokens: number;

  constructor(
    readonly trace: TraceRequest,
    /** The client's start time (the trace timestamp under a fixed schedule), ms. */
    readonly scheduledMs: number,
  ) {
    this.id = trace.id;
    this.inputTokens = trace.inputTokens;
    this.outputTokens = trace.outputTokens;
  }

  get hashIds(): readonly number[] {
    return this.trace.hashIds;
  }
  blocksInUnits(units: number): number {
    return blocksInUnits(units, this.blockHashes.length, this.blocksPerKey, this.lastKeyBlocks);
  }

  get finished(): boolean {
    return this.state === 'completed' || this.state === 'timed-out' || this.state === 'rejected';
  }
}
