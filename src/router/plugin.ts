// Plug-in routing policies: load a user module by path (--router) into the same RouterFactory the
// built-in modes give, and wrap its Router so that a throw, an invalid target, a promise, a write to
// what it was given (frozen views) or a process.exit call stops the run with a one-line InputError
// naming the file. A module whose top-level code never settles (a pending await, or a synchronous loop
// caught by a first import on a worker thread) stops the load after a timeout.
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RequestView, RouteTarget, Router, RouterContext, RouterFactory } from '../protocol/router.ts';
import { InputError } from '../util/errors.ts';
import { checkReadableFile } from '../util/files.ts';
import { siblingModule } from '../util/sibling-module.ts';
import { type PluginCall, watched } from './plugin-watch.ts';

/** What a plug-in module default-exports: a Router class or a factory function. */
export type RouterPlugin = (new (ctx: RouterContext) => Router) | ((ctx: RouterContext) => Router);

const oneLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0].trim();

/** Why a plug-in module did not load, in one line: tsx's esbuild reports "Transform failed with N
 *  errors:" and the first error as `file:line:column: ERROR: text` on the next line (`file` shown as `path`). */
function loadFailure(e: unknown, file: string, path: string): string {
  const lines = (e instanceof Error ? e.message : String(e)).split('\n');
  const first = /^Transform failed with \d+ errors?:$/.test(lines[0].trim()) ? lines.slice(1).find((l) => / ERROR: /.test(l)) : undefined;
  return first === undefined ? oneLine(e) : first.trim().replace(file, path).replace(': ERROR: ', ': ');
}

/** Thrown by process.exit while plug-in code may run: the call stops the run instead of the process. */
export class PluginExitError extends InputError {
  constructor(
    readonly file: string,
    readonly code: unknown,
    when: string,
  ) {
    super(`router plug-in ${file}: called process.exit(${code === undefined ? '' : String(code)}) ${when}; a plug-in must not end the process`);
    this.name = 'PluginExitError';
  }
}

/**
 * Make process.exit throw a PluginExitError naming `file` until the returned release is called: for a
 * whole run that may execute plug-in code from timers or promises (the run loop yields between slices).
 */
export function trapProcessExit(file: string, when = 'during the run'): () => void {
  const real = process.exit;
  process.exit = ((code?: unknown) => {
    throw new PluginExitError(file, code, when);
  }) as typeof process.exit;
  return () => {
    process.exit = real;
  };
}

/** What a plug-in's failure says: its process.exit call, or the first line of what it threw. */
function failure(what: string, e: unknown): string {
  return e instanceof PluginExitError ? `${what} called process.exit(${e.code === undefined ? '' : String(e.code)})` : `${what} threw: ${oneLine(e)}`;
}

/** Default time a plug-in module may take to load (its top-level code and awaits), ms. */
export const PLUGIN_LOAD_TIMEOUT_MS = 10_000;

function isClass(f: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(f));
}

/** Build the plug-in's Router from its default export. */
function instantiate(plugin: Function, ctx: RouterContext): unknown {
  if (isClass(plugin)) return new (plugin as new (c: RouterContext) => Router)(ctx);
  const made = (plugin as (c: RouterContext) => unknown)(ctx);
  // an old-style constructor function called without `new` returns nothing
  if (made === undefined && typeof (plugin.prototype as { select?: unknown } | undefined)?.select === 'function') {
    return new (plugin as new (c: RouterContext) => Router)(ctx);
  }
  return made;
}

/**
 * Wraps a plug-in router: every call is guarded, every target is checked against the pool, and any
 * failure becomes an InputError naming the plug-in file.
 */
export class CheckedRouter implements Router {
  readonly name: string;
  /** One frozen view per request in flight (the plug-in never sees the engine's object). */
  private readonly views = new Map<number, RequestView>();

  constructor(
    private readonly inner: Router,
    private readonly file: string,
    private readonly workerRanks: readonly number[],
  ) {
    this.name = `plug-in ${basename(file)}${inner.name ? ` (${inner.name})` : ''}`;
  }

  private fail(what: string): never {
    throw new InputError(`router plug-in ${this.file}: ${what}`);
  }

  /** Run a hook with process.exit trapped; a call the plug-in catches itself still stops the run. */
  private guard<T>(hook: PluginCall, f: () => T, requestId = -1): T {
    let exited: PluginExitError | null = null;
    const real = process.exit;
    process.exit = ((code?: unknown) => {
      throw (exited = new PluginExitError(this.file, code, `in ${hook}`));
    }) as typeof process.exit;
    try {
      const out = watched(hook, requestId, f);
      if (exited) throw exited;
      return out;
    } catch (e) {
      return this.fail(failure(hook, exited ?? e));
    } finally {
      process.exit = real;
    }
  }

  private view(req: RequestView): RequestView {
    let v = this.views.get(req.id);
    if (v === undefined) {
      const { id, inputTokens, outputTokens, scheduledMs, blocksPerKey, lastKeyBlocks } = req;
      const hashIds = Object.freeze([...req.hashIds]);
      const blockHashes = Object.freeze([...req.blockHashes]);
      v = Object.freeze({ id, inputTokens, outputTokens, scheduledMs, hashIds, blockHashes, blocksPerKey, lastKeyBlocks, blocksInUnits: (units: number) => req.blocksInUnits(units) });
      this.views.set(req.id, v);
    }
    return v;
  }

  select(req: RequestView, nowMs: number): RouteTarget {
    const t = this.guard('select', () => this.inner.select(this.view(req), nowMs), req.id) as unknown;
    return this.check(t, req);
  }

  /** The target as the simulation needs it, or an InputError saying what is wrong with it. */
  private check(t: unknown, req: RequestView): RouteTarget {
    const bad = (why: string): never => this.fail(`select returned an invalid target ${safeJson(t)} for request ${req.id}: ${why}`);
    if (t instanceof Promise || (typeof t === 'object' && t !== null && typeof (t as { then?: unknown }).then === 'function')) return bad('select must return a target, not a promise (routing is synchronous)');
    if (typeof t !== 'object' || t === null) return bad('expected { worker, rank }');
    const { worker, rank } = t as { worker?: unknown; rank?: unknown };
    if (typeof worker !== 'number' || !Number.isInteger(worker)) return bad('worker must be an integer');
    if (worker < 0 || worker >= this.workerRanks.length) return bad(`worker must be in 0..${this.workerRanks.length - 1}`);
    const ranks = this.workerRanks[worker];
    if (rank === undefined || rank === null) return { worker, rank: null };
    if (typeof rank !== 'number' || !Number.isInteger(rank)) return bad('rank must be an integer or null');
    if (rank < 0 || rank >= ranks) return bad(`rank must be in 0..${ranks - 1} or null`);
    return { worker, rank };
  }

  onRouted(req: RequestView, target: RouteTarget, nowMs: number): void {
    if (this.inner.onRouted) this.guard('onRouted', () => this.inner.onRouted!(this.view(req), Object.freeze({ ...target }), nowMs), req.id);
  }

  onPrefillDone(req: RequestView, nowMs: number): void {
    if (this.inner.onPrefillDone) this.guard('onPrefillDone', () => this.inner.onPrefillDone!(this.view(req), nowMs), req.id);
  }

  onFinished(req: RequestView, nowMs: number): void {
    if (this.inner.onFinished) this.guard('onFinished', () => this.inner.onFinished!(this.view(req), nowMs), req.id);
    this.views.delete(req.id);
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
export async function loadRouterPlugin(path: string, cwd = process.cwd(), timeoutMs = PLUGIN_LOAD_TIMEOUT_MS, probe = true): Promise<RouterFactory> {
  const file = resolve(cwd, path);
  try {
    checkReadableFile(file, 'plug-in module');
  } catch (e) {
    throw new InputError(`router plug-in ${path}: ${/no such/.test((e as Error).message) ? 'file not found' : (e as Error).message.slice(file.length + 2)}`);
  }
  const tooLong = () => new InputError(`router plug-in ${path}: did not load within ${timeoutMs / 1000} s (its top-level code or a top-level await never finished)`);
  // `probe` false: this thread's own caller times it (a run on a plug-in thread, app/plugin-run.ts)
  if (probe && (await probeLoad(file, timeoutMs)) === 'timed out') throw tooLong();
  let mod: { default?: unknown };
  let timer: NodeJS.Timeout | undefined;
  const release = trapProcessExit(path, 'while loading');
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(tooLong()), timeoutMs);
    });
    mod = (await Promise.race([importModule(file), timeout])) as { default?: unknown };
  } catch (e) {
    if (e instanceof InputError && !(e instanceof PluginExitError)) throw e;
    throw new InputError(`router plug-in ${path}: ${e instanceof PluginExitError ? `${failure('its module', e)} while loading` : `cannot load: ${loadFailure(e, file, path)}`}`);
  } finally {
    clearTimeout(timer);
    release();
  }
  let plugin = mod.default;
  // a .ts file outside an ESM package loads as CommonJS: its default export sits one level down
  if (typeof plugin === 'object' && plugin !== null && typeof (plugin as { default?: unknown }).default === 'function') plugin = (plugin as { default: unknown }).default;
  return routerFromPlugin(plugin, path);
}

/**
 * Import the module once on a worker thread (plugin-probe), its output discarded, and end the thread if
 * it has not finished within `timeoutMs`: a synchronous top-level loop blocks only that thread. Any
 * other outcome (loaded, threw, exited; or no thread could start, as under a .ts test runner) leaves
 * the main thread's import to report it. Costs a thread start (~30 ms), and only runs for a plug-in.
 */
function probeLoad(file: string, timeoutMs: number): Promise<'settled' | 'timed out'> {
  return new Promise((done) => {
    let worker: Worker;
    try {
      worker = new Worker(siblingModule(import.meta.url, 'plugin-probe'), { workerData: { file }, stdout: true, stderr: true });
    } catch {
      return done('settled');
    }
    worker.stdout.resume();
    worker.stderr.resume();
    const end = (how: 'settled' | 'timed out') => {
      clearTimeout(timer);
      worker.removeAllListeners();
      worker.on('error', () => {});
      void worker.terminate();
      done(how);
    };
    const timer = setTimeout(() => end('timed out'), timeoutMs);
    worker.once('message', () => end('settled'));
    worker.once('error', () => end('settled'));
    worker.once('exit', () => end('settled'));
  });
}

/** The bundled CLI's loader (bin/servesim.js) passes its own import(): the bundle runs as a vm script,
 *  which has none. Everywhere else this is undefined and the module's own import() serves. */
declare const __servesimImport: ((specifier: string) => Promise<unknown>) | undefined;
const dynamicImport = (specifier: string): Promise<unknown> => (typeof __servesimImport === 'function' ? __servesimImport(specifier) : import(specifier));

/** Import a module by absolute path; a .ts file the registered loader cannot take as ESM goes through tsx's tsImport. */
export async function importModule(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href;
  try {
    return await dynamicImport(url);
  } catch (e) {
    if (!/\.[cm]?ts$/.test(file)) throw e;
    let tsx: { tsImport: (url: string, parent: string) => Promise<unknown> };
    try {
      tsx = (await dynamicImport('tsx/esm/api')) as typeof tsx;
    } catch {
      throw new Error('a .ts plug-in needs tsx (npm install --save-dev tsx) or Node >= 22.6 run with --experimental-strip-types; or compile the plug-in to .js');
    }
    return tsx.tsImport(url, import.meta.url);
  }
}

/** The routerOverride for a plug-in's default export (`file` names it in errors). */
export function routerFromPlugin(plugin: unknown, file: string): RouterFactory {
  if (typeof plugin !== 'function') throw new InputError(`router plug-in ${file}: must default-export a Router class or a (ctx) => Router factory`);
  return (ctx: RouterContext) => {
    let made: unknown;
    const release = trapProcessExit(file, 'while constructing the router');
    try {
      made = watched('constructing the router', -1, () => instantiate(plugin, Object.freeze({ ...ctx })));
    } catch (e) {
      throw new InputError(`router plug-in ${file}: ${failure('constructing the router', e)}`);
    } finally {
      release();
    }
    if (typeof made !== 'object' || made === null || typeof (made as Router).select !== 'function') {
      throw new InputError(`router plug-in ${file}: the default export did not produce a Router (an object with select(req, nowMs))`);
    }
    return new CheckedRouter(made as Router, file, ctx.workerRanks);
  };
}
