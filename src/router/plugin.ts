// Plug-in routing policies: load a user module by path (--router), build its Router with per-target
// views of the pool, and wrap it so a throw or an invalid target stops the run with a one-line InputError.
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../errors.ts';
import type { SimRequest } from '../worker/request.ts';
import type { Worker } from '../worker/worker.ts';
import type { PluginRouterContext, RouteTarget, Router, RouterContext, TargetView } from './types.ts';

/** What a plug-in module default-exports: a Router class or a factory function. */
export type RouterPlugin = (new (ctx: PluginRouterContext) => Router) | ((ctx: PluginRouterContext) => Router);

/** Live read-only views of every (worker, rank) target of `workers`, worker-major. */
export function targetViews(workers: readonly Worker[]): TargetView[] {
  const out: TargetView[] = [];
  workers.forEach((w, wi) =>
    w.ranks.forEach((rank, ri) => {
      out.push({
        worker: wi,
        rank: ri,
        label: rank.label,
        overlapBlocks: (req: SimRequest) => req.blocksInUnits(rank.cache.matchPrefix(req.blockHashes)),
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
          for (const r of rank.active) if (r.phase === 'prefill') n += r.inputTokens - r.prefilledTokens;
          for (const r of rank.waiting) n += r.inputTokens;
          return n;
        },
      });
    }),
  );
  return Object.freeze(out) as TargetView[];
}

const oneLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0].trim();

function isClass(f: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(f));
}

/** Build the plug-in's Router from its default export. */
function instantiate(plugin: Function, ctx: PluginRouterContext): unknown {
  if (isClass(plugin)) return new (plugin as new (c: PluginRouterContext) => Router)(ctx);
  const made = (plugin as (c: PluginRouterContext) => unknown)(ctx);
  // an old-style constructor function called without `new` returns nothing
  if (made === undefined && typeof (plugin.prototype as { select?: unknown } | undefined)?.select === 'function') {
    return new (plugin as new (c: PluginRouterContext) => Router)(ctx);
  }
  return made;
}

/**
 * Wraps a plug-in router: every call is guarded, every target is checked against the pool, and any
 * failure becomes an InputError naming the plug-in file.
 */
export class CheckedRouter implements Router {
  readonly name: string;

  constructor(
    private readonly inner: Router,
    private readonly file: string,
    private readonly workers: readonly Worker[],
  ) {
    this.name = `plug-in ${basename(file)}${inner.name ? ` (${inner.name})` : ''}`;
  }

  private fail(what: string): never {
    throw new InputError(`router plug-in ${this.file}: ${what}`);
  }

  private guard<T>(hook: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      return this.fail(`${hook} threw: ${oneLine(e)}`);
    }
  }

  select(req: SimRequest, nowMs: number): RouteTarget {
    const t = this.guard('select', () => this.inner.select(req, nowMs)) as unknown;
    return this.check(t, req);
  }

  /** The target as the simulation needs it, or an InputError saying what is wrong with it. */
  private check(t: unknown, req: SimRequest): RouteTarget {
    const bad = (why: string): never => this.fail(`select returned an invalid target ${safeJson(t)} for request ${req.id}: ${why}`);
    if (typeof t !== 'object' || t === null) return bad('expected { worker, rank }');
    const { worker, rank } = t as { worker?: unknown; rank?: unknown };
    if (typeof worker !== 'number' || !Number.isInteger(worker)) return bad('worker must be an integer');
    if (worker < 0 || worker >= this.workers.length) return bad(`worker must be in 0..${this.workers.length - 1}`);
    const ranks = this.workers[worker].ranks.length;
    if (rank === undefined || rank === null) return { worker, rank: null };
    if (typeof rank !== 'number' || !Number.isInteger(rank)) return bad('rank must be an integer or null');
    if (rank < 0 || rank >= ranks) return bad(`rank must be in 0..${ranks - 1} or null`);
    return { worker, rank };
  }

  onRouted(req: SimRequest, target: RouteTarget, nowMs: number): void {
    if (this.inner.onRouted) this.guard('onRouted', () => this.inner.onRouted!(req, target, nowMs));
  }

  onPrefillDone(req: SimRequest, nowMs: number): void {
    if (this.inner.onPrefillDone) this.guard('onPrefillDone', () => this.inner.onPrefillDone!(req, nowMs));
  }

  onFinished(req: SimRequest, nowMs: number): void {
    if (this.inner.onFinished) this.guard('onFinished', () => this.inner.onFinished!(req, nowMs));
  }

  describe(): string {
    const d = this.inner.describe ? this.guard('describe', () => this.inner.describe!()) : '';
    return d ? `plug-in ${basename(this.file)}: ${d}` : this.name;
  }
}

function safeJson(x: unknown): string {
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}

/**
 * Load the router plug-in at `path` (relative to `cwd`; .ts through tsx, or .js) and return the
 * routerOverride for RunInput: it builds the plug-in over the entry pool, checked.
 */
export async function loadRouterPlugin(path: string, cwd = process.cwd()): Promise<(ctx: RouterContext) => Router> {
  const file = resolve(cwd, path);
  if (!existsSync(file)) throw new InputError(`router plug-in ${path}: file not found`);
  let mod: { default?: unknown };
  try {
    mod = (await importModule(file)) as { default?: unknown };
  } catch (e) {
    throw new InputError(`router plug-in ${path}: cannot load: ${oneLine(e)}`);
  }
  let plugin = mod.default;
  // a .ts file outside an ESM package loads as CommonJS: its default export sits one level down
  if (typeof plugin === 'object' && plugin !== null && typeof (plugin as { default?: unknown }).default === 'function') plugin = (plugin as { default: unknown }).default;
  return routerFromPlugin(plugin, path);
}

/** Import a module by absolute path; a .ts file the registered loader cannot take as ESM goes through tsx's tsImport. */
async function importModule(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href;
  try {
    return await import(url);
  } catch (e) {
    if (!/\.[cm]?ts$/.test(file)) throw e;
    const { tsImport } = await import('tsx/esm/api');
    return tsImport(url, import.meta.url);
  }
}

/** The routerOverride for a plug-in's default export (`file` names it in errors). */
export function routerFromPlugin(plugin: unknown, file: string): (ctx: RouterContext) => Router {
  if (typeof plugin !== 'function') throw new InputError(`router plug-in ${file}: must default-export a Router class or a (ctx) => Router factory`);
  return (ctx: RouterContext) => {
    const workers = ctx.workers;
    const full: PluginRouterContext = Object.freeze({ ...ctx, targets: targetViews(workers), blockTokens: workers[0]?.tokensPerBlock ?? 0 });
    let made: unknown;
    try {
      made = instantiate(plugin, full);
    } catch (e) {
      throw new InputError(`router plug-in ${file}: constructing the router threw: ${oneLine(e)}`);
    }
    if (typeof made !== 'object' || made === null || typeof (made as Router).select !== 'function') {
      throw new InputError(`router plug-in ${file}: the default export did not produce a Router (an object with select(req, nowMs))`);
    }
    return new CheckedRouter(made as Router, file, workers);
  };
}
