// Router modes by name (scenario router.router_mode / decode_router_mode): each builds the same
// RouterFactory a plug-in file does. Dynamo routes decode with the KV cost at overlap weight 0.
import { ROLES, type Role } from '../protocol/roles.ts';
import type { RouterFactory } from '../protocol/router.ts';
import type { RouterConfig } from '../scenario/schema.ts';
import { inputError } from '../util/errors.ts';
import { Registry } from '../util/registry.ts';
import { RandomRouter, RoundRobinRouter } from './basic.ts';
import { KvRouter } from './kv.ts';
import { argError, expectObject } from '../util/guard.ts';

/** A router mode: from the scenario's router settings and the pool's role to a factory. */
export type RouterMode = (cfg: RouterConfig, role: Role) => RouterFactory;

/** Dynamo's KV router at overlap weight 0: fewest active blocks (what Dynamo does for decode). */
const leastActiveBlocks: RouterMode = (cfg) => (ctx) =>
  new KvRouter(ctx, { ...cfg, kv_overlap_score_weight: 0 }, { trackActiveBlocks: true, trackPrefillTokens: false, assumeKvReuse: false, useCacheEvents: false });

export const routerModes = new Registry<RouterMode>('router mode')
  .register('kv', "Dynamo's KV-aware router over (worker, DP rank) targets (decode: overlap weight 0)", (cfg, role) =>
    role === 'decode'
      ? leastActiveBlocks(cfg, role)
      : (ctx) => new KvRouter(ctx, cfg, { trackActiveBlocks: role === 'agg', trackPrefillTokens: true, assumeKvReuse: true, useCacheEvents: cfg.kv_events }),
  )
  .register('round-robin', 'Dynamo round robin (router.round_robin_target: over workers, or over DP ranks)', (cfg) => (ctx) => new RoundRobinRouter(ctx, cfg.round_robin_target))
  .register('random', 'Dynamo random: a uniformly random worker', () => (ctx) => new RandomRouter(ctx))
  .register('least-loaded', 'fewest active KV blocks per (worker, rank): the KV router at overlap weight 0', leastActiveBlocks);

/** The factory of the router a scenario names for the pool of `role`. */
export function routerFactory(cfg: RouterConfig, role: Role, blockTokens: number): RouterFactory {
  expectObject(cfg, 'routerFactory', 'config');
  if (!ROLES.includes(role)) throw argError('routerFactory', 'role', ROLES.join(', '), role);
  if (!Number.isInteger(blockTokens) || blockTokens < 1) throw argError('routerFactory', 'blockTokens', 'a positive integer', blockTokens);
  const decode = role === 'decode' && cfg.decode_router_mode !== undefined;
  const mode = decode ? cfg.decode_router_mode! : cfg.router_mode;
  const make = routerModes.get(mode, { field: decode ? 'router.decode_router_mode' : 'router.router_mode' });
  if (mode === 'kv' && blockTokens !== cfg.kv_block_size) {
    throw inputError({ field: 'router.kv_block_size' }, `${cfg.kv_block_size} must equal the ${role} engine's kv_cache_config.tokens_per_block ${blockTokens}`);
  }
  return make(cfg, role);
}
