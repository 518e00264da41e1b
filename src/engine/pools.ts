// The deployment as the run loop sees it: one pool of identical workers per role (agg, or prefill +
// decode), each worker bound to its role policy and cost, each pool with its router built from its
// factory over read-only target views and the router's own random stream.
import type { CostModel } from '../cost/model.ts';
import { WorkerCost } from '../cost/worker-cost.ts';
import type { PoolResult } from '../protocol/result.ts';
import type { Role } from '../protocol/roles.ts';
import type { Router, RouterFactory } from '../protocol/router.ts';
import { routerFactory } from '../router/registry.ts';
import type { Scenario } from '../scenario/schema.ts';
import { inputError } from '../util/errors.ts';
import { randomStream } from '../util/random.ts';
import { rolePolicy } from '../worker/policy.ts';
import { Worker, type WorkerHost } from '../worker/worker.ts';
import type { SimRequest } from './request.ts';
import { routerContext } from './targets.ts';

/** Workers of one role with the router that chooses among them. */
export interface Pool {
  role: Role;
  workers: Worker<SimRequest>[];
  router: Router;
  cost: WorkerCost;
}

export interface PoolOptions {
  scenario: Scenario;
  cost: CostModel;
  seed: string;
  /** Replacement routers by role (e.g. a plug-in for the agg or prefill pool). */
  routers?: Partial<Record<Role, RouterFactory>>;
  maxRunSteps?: number;
}

/** The deployment's pools, entry (agg or prefill) first. */
export function buildPools(o: PoolOptions, host: WorkerHost<SimRequest, Worker<SimRequest>>, now: () => number): Pool[] {
  const s = o.scenario;
  const roles: Role[] = s.workers.agg ? ['agg'] : ['prefill', 'decode'];
  const pools = roles.map((role): Pool => {
    const group = s.workers[role]!;
    const cost = new WorkerCost(o.cost, { role, engine: group.engine, env: group.env, platform: s.platform.name, iterationSlowdown: s.platform.iteration_slowdown });
    const policy = rolePolicy(role, s.disaggregation.first_token_from);
    const workers = Array.from({ length: group.count }, (_, id) => new Worker<SimRequest>({ id, policy, engine: group.engine, cost, maxRunSteps: o.maxRunSteps }, host));
    const factory = o.routers?.[role] ?? routerFactory(s.router, role, group.engine.kv_cache_config.tokens_per_block);
    const router = factory(routerContext(workers, randomStream(o.seed, `router:${role}`), now));
    return { role, workers, router, cost };
  });
  if (pools.length === 2) {
    for (const r of roles) {
      if (!s.workers[r]!.engine.cache_transceiver_config) throw inputError({ field: `workers.${r}.engine.cache_transceiver_config` }, 'required for disaggregated serving (TensorRT-LLM disables the KV cache transceiver without it), e.g. { backend: UCX, max_tokens_in_buffer: 120000 }');
    }
    // both sides of a transfer speak one transceiver (DEFAULT is NIXL in TensorRT-LLM 1.2+)
    const [pb, db] = roles.map((r) => s.workers[r]!.engine.cache_transceiver_config!.backend.replace('DEFAULT', 'NIXL'));
    if (pb !== db) throw inputError({ field: 'workers.decode.engine.cache_transceiver_config.backend' }, `${db} differs from the prefill workers' ${pb}: prefill and decode must use the same KV cache transceiver backend`);
    const [p, d] = roles.map((r) => s.workers[r]!.engine.kv_cache_config);
    if (p.tokens_per_block !== d.tokens_per_block) throw inputError({ field: 'workers.decode.engine.kv_cache_config.tokens_per_block' }, `${d.tokens_per_block} differs from the prefill workers' ${p.tokens_per_block}: the KV cache transceiver needs one block layout`);
    if (pools[0].cost.kvBytesPerToken !== pools[1].cost.kvBytesPerToken) throw inputError({ field: 'workers.decode.engine.kv_cache_config.dtype' }, `${d.dtype} differs from the prefill workers' ${p.dtype}: the KV cache transceiver moves the cache as it is`);
  }
  return pools;
}

/** A pool's counters as plain data. */
export function poolResult(pool: Pool): PoolResult {
  return {
    role: pool.role,
    gpusPerWorker: pool.workers[0]?.engine.tensor_parallel_size ?? 0,
    router: pool.router.describe?.() ?? pool.router.name,
    workers: pool.workers.map((w) => ({
      label: w.label,
      iterations: w.iterations,
      busyMs: w.busyMs,
      prefillIterations: w.prefillIterations,
      prefillBusyMs: w.prefillBusyMs,
      lastBusyEndMs: w.lastBusyEndMs,
      ranks: w.ranks.map((r) => ({
        label: r.label,
        requests: r.requests,
        promptTokens: r.promptTokens,
        cachedTokens: r.cachedTokens,
        busyIterations: r.busyIterations,
        evictedBlocks: r.cache.evictedBlocks,
        capacityBlocks: r.cache.capacityBlocks,
      })),
    })),
  };
}
