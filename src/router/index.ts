// Router factory: builds the policy a scenario's router settings name, for the agg/prefill pool or
// the decode pool (Dynamo routes decode with the KV cost at overlap weight 0 in kv mode).
import { InputError } from '../errors.ts';
import type { RouterConfig } from '../scenario/schema.ts';
import type { WorkerRole } from '../worker/worker.ts';
import { LeastLoadedRouter, RandomRouter, RoundRobinRouter } from './basic.ts';
import { KvRouter } from './kv.ts';
import type { Router, RouterContext } from './types.ts';

export function createRouter(cfg: RouterConfig, role: WorkerRole, ctx: RouterContext): Router {
  const blockTokens = cfg.kv_block_size;
  const mode = role === 'decode' ? (cfg.decode_router_mode ?? cfg.router_mode) : cfg.router_mode;
  switch (mode) {
    case 'round-robin':
      return new RoundRobinRouter(ctx, cfg.round_robin_target);
    case 'random':
      return new RandomRouter(ctx);
    case 'least-loaded':
      return new LeastLoadedRouter(ctx, blockTokens);
    case 'kv':
      for (const w of ctx.workers) {
        if (w.tokensPerBlock !== blockTokens) {
          throw new InputError(`router.kv_block_size ${blockTokens} must equal the ${w.role} engine's kv_cache_config.tokens_per_block ${w.tokensPerBlock}`);
        }
      }
      return role === 'decode'
        ? new KvRouter(ctx, { ...cfg, kv_overlap_score_weight: 0 }, { trackActiveBlocks: true, trackPrefillTokens: false, assumeKvReuse: false, useCacheEvents: false })
        : new KvRouter(ctx, cfg, { trackActiveBlocks: role === 'agg', trackPrefillTokens: true, assumeKvReuse: true, useCacheEvents: cfg.kv_events });
  }
}
