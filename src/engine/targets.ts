// Router contexts over a pool's workers: live read-only views of every (worker, DP rank) target, the
// pool's shape, its KV event feeds, a named random stream and the clock.
import type { RequestView, RouterContext, TargetView } from '../protocol/router.ts';
import type { Rng } from '../util/random.ts';
import type { Worker } from '../worker/worker.ts';

/** Live read-only views of every (worker, rank) target of `workers`, worker-major. */
export function targetViews(workers: readonly Worker[]): TargetView[] {
  const out: TargetView[] = [];
  workers.forEach((w, wi) =>
    w.ranks.forEach((rank, ri) => {
      out.push(
        Object.freeze({
          worker: wi,
          rank: ri,
          label: rank.label,
          overlapBlocks: (req: RequestView) => req.blocksInUnits(rank.cache.matchPrefix(req.blockHashes)),
          get activeRequests() {
            return rank.active.length;
          },
          get queuedRequests() {
            return rank.waiting.length;
          },
          get freeSlots() {
            return w.engine.max_batch_size - rank.active.length;
          },
          get kvUsedBlocks() {
            return rank.cache.usedBlocks;
          },
          get kvCapacityBlocks() {
            return rank.cache.capacityBlocks;
          },
          get pendingPrefillTokens() {
            let n = 0;
            for (const s of rank.active) if (s.phase === 'prefill') n += s.req.inputTokens - s.prefilledTokens;
            for (const s of rank.waiting) n += s.req.inputTokens;
            return n;
          },
        }),
      );
    }),
  );
  return out;
}

export function routerContext(workers: readonly Worker[], random: Rng, now: () => number): RouterContext {
  const targets = Object.freeze(targetViews(workers));
  const ranks = workers.flatMap((w) => w.ranks);
  return Object.freeze({
    targets,
    workerRanks: Object.freeze(workers.map((w) => w.ranks.length)),
    blockTokens: workers[0]?.tokensPerBlock ?? 0,
    random,
    now,
    onKvEvents: (index: number, listener: Parameters<RouterContext['onKvEvents']>[1]) => ranks[index].cache.onEvent(listener),
    cachedPrefix: (index: number, keys: readonly number[]) => ranks[index].cache.matchPrefix(keys),
    cachedKeys: (index: number) => ranks[index].cache.cachedUnits,
  });
}
