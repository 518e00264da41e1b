// End-of-run self-check: every request ended exactly once, the client holds nothing, no worker holds a
// request, and no KV block is held or leaked. A failure is a simulator bug, never user error.
import type { BenchmarkClient } from '../client/client.ts';
import { AccountingError } from '../util/errors.ts';
import type { Pool } from './pools.ts';
import type { Transceiver } from './transceiver.ts';

export function checkAccounting(issued: number, ended: number, client: BenchmarkClient<unknown>, pools: readonly Pool[], transceiver: Transceiver): void {
  if (!transceiver.idle) throw new AccountingError('the KV transceiver still holds transfers');
  if (issued !== ended) throw new AccountingError(`${issued} requests issued but ${ended} ended (completed + timed out + rejected)`);
  if (client.inFlight !== 0 || client.waitingRequests !== 0) throw new AccountingError(`client still holds ${client.inFlight} in flight and ${client.waitingRequests} waiting`);
  for (const pool of pools) {
    for (const w of pool.workers) {
      const held = w.heldRequests();
      if (held > 0) throw new AccountingError(`${w.label} still holds ${held} requests`);
      for (const r of w.ranks) {
        if (r.assignedPromptTokens !== 0) throw new AccountingError(`${r.label} prompt-token bookkeeping off by ${r.assignedPromptTokens}`);
        try {
          r.cache.assertNoLiveBlocks(r.label);
        } catch (e) {
          throw new AccountingError((e as Error).message);
        }
      }
    }
  }
}
