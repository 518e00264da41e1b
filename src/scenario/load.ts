// Scenario loading: YAML file → `--set key=value` overrides → schema validation → a checked Scenario.
// Every problem is an InputError naming the file and the dotted key.
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { inputError, type InputError } from '../util/errors.ts';
import { MAX_TIME_MS } from '../util/clock.ts';
import { readTextFile } from '../util/files.ts';
import { parseYamlText } from '../util/yaml-text.ts';
import { didYouMean } from '../util/suggest.ts';
import { argError, expectObject, expectString, expectStrings } from '../util/guard.ts';
import { locatedError, scenarioKeyWhere } from './locate.ts';
import { isModelPath, scenarioSchema, type Scenario } from './schema.ts';

/** Key segments that are never scenario keys and would reach Object.prototype if written. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Apply `a.b.c=value` overrides (value parsed as YAML: numbers, booleans, strings) to a raw object.
 * Each key may be given once, and not together with a key inside it (which one would win would depend
 * on the order): both are one-line errors, as a repeated --vary key is.
 */
/** A scenario's `model` as seen from `dir`: a relative model file path is read from there; a name or an
 *  absolute path stays as it is. */
export function modelFrom(dir: string, model: string): string {
  return isModelPath(model) && !isAbsolute(model) ? resolve(dir, model) : model;
}

export function applyOverrides(raw: Record<string, unknown>, sets: readonly string[], file: string): void {
  expectObject(raw, 'applyOverrides', 'raw');
  expectStrings(sets, 'applyOverrides', 'sets');
  expectString(file, 'applyOverrides', 'file');
  const given = new Map<string, string>();
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw inputError({ file: '--set', field: s }, 'expected key=value');
    const key = s.slice(0, eq);
    const path = key.split('.');
    if (path.some((p) => p === '')) throw inputError({ file: '--set', field: key }, 'empty key segment');
    const bad = path.find((p) => FORBIDDEN_KEYS.has(p));
    if (bad !== undefined) throw inputError({ file: '--set', field: key }, `'${bad}' is not a scenario key`);
    for (const [k, was] of given) {
      if (k === key) throw inputError({ file: '--set', field: key }, `given twice ('${was}', then '${s}'): give each key once`);
      if (k.startsWith(`${key}.`) || key.startsWith(`${k}.`)) throw inputError({ file: '--set', field: key }, `overlaps '${was}': set a key or the keys inside it, not both`);
    }
    given.set(key, s);
    let value: unknown;
    try {
      value = parseYaml(s.slice(eq + 1));
    } catch {
      value = s.slice(eq + 1);
    }
    let node: Record<string, unknown> = raw;
    for (const k of path.slice(0, -1)) {
      const next = Object.hasOwn(node, k) ? node[k] : undefined;
      if (next === undefined || next === null) node[k] = {};
      else if (typeof next !== 'object' || Array.isArray(next)) throw inputError({ file, field: key }, `${k} is not a mapping`);
      node = node[k] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
}

/** The keys a strict object of the scenario schema allows at `path` (for did-you-mean). */
function knownKeys(path: readonly PropertyKey[]): string[] {
  let node: unknown = scenarioSchema;
  const unwrap = (n: unknown): { type: string; shape?: Record<string, unknown>; innerType?: unknown } => {
    let d = (n as { _zod: { def: { type: string; innerType?: unknown; shape?: Record<string, unknown> } } })._zod.def;
    while (['optional', 'default', 'nullable', 'prefault'].includes(d.type)) d = (d.innerType as { _zod: { def: typeof d } })._zod.def;
    return d;
  };
  for (const k of path) {
    const d = unwrap(node);
    if (d.type !== 'object' || !d.shape || !(String(k) in d.shape)) return [];
    node = d.shape[String(k)];
  }
  const d = unwrap(node);
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}

function formatIssue(where: (field: string) => string, issue: z.core.$ZodIssue): InputError {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    const at = path ? `${path}.` : '';
    const known = knownKeys(issue.path);
    const hint = keys.length === 1 ? didYouMean(keys[0], known) : '';
    return inputError({ file: where(at + keys[0]), field: keys.map((k) => at + k).join(', ') }, `unknown key${keys.length > 1 ? 's' : ''}${hint}${known.length > 0 ? `; known here: ${known.join(', ')}` : ''}`);
  }
  return inputError({ file: where(path), field: path || '(root)' }, issue.message);
}

/**
 * Most GPUs a deployment may have (workers x tensor_parallel_size over its pools): servesim holds every
 * rank's KV cache in memory and a KV router scores every rank per request; 16,384 ranks already take
 * ~40 s per 2,000 requests, so a larger deployment would take hours or run out of memory.
 */
export const MAX_GPUS = 16_384;

/** Validate a raw scenario object (already overridden). */
export function validateScenario(raw: unknown, file: string, where: (field: string) => string = () => file): Scenario {
  expectString(file, 'validateScenario', 'file');
  if (typeof where !== 'function') throw argError('validateScenario', 'where', 'a function', where);
  const s = checkedScenario(raw, where);
  // the mode has a default, so only the raw object tells whether it was given: without a rate it would do nothing
  const client = (raw as { client?: Record<string, unknown> }).client;
  if (client?.request_rate_mode !== undefined && client.request_rate === undefined) {
    throw inputError({ file: where('client.request_rate_mode'), field: 'client.request_rate_mode' }, 'spaces the sends of a request rate: give client.request_rate (--request-rate) too, or leave the mode out');
  }
  return s;
}

/**
 * Re-check a Scenario object handed to library call `call` (errors name `call: scenario: key`): the
 * schema and every check after it, as loading checks a file, since it may have been built or changed
 * by hand. The defaults it holds already are taken as given.
 */
export function recheckScenario(scenario: unknown, call: string): Scenario {
  if (scenario === null || typeof scenario !== 'object' || Array.isArray(scenario)) throw argError(call, 'scenario', 'a Scenario object (from loadScenario or validateScenario)', scenario);
  return checkedScenario(scenario, () => `${call}: scenario`);
}

/** The schema, then the checks across keys. */
function checkedScenario(raw: unknown, where: (field: string) => string): Scenario {
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) throw formatIssue(where, parsed.error.issues[0]);
  const s = parsed.data;
  const w = s.workers;
  const agg = w.agg?.count ?? 0;
  const prefill = w.prefill?.count ?? 0;
  const decode = w.decode?.count ?? 0;
  if (w.agg && (w.prefill || w.decode)) throw inputError({ file: where('workers'), field: 'workers' }, 'give either agg workers or prefill + decode workers, not both');
  if (!w.agg && !(w.prefill && w.decode)) throw inputError({ file: where('workers'), field: 'workers' }, 'needs workers.agg, or both workers.prefill and workers.decode');
  if (w.agg && agg === 0) throw inputError({ file: where('workers.agg.count'), field: 'workers.agg.count' }, 'must be at least 1');
  if (!w.agg && prefill === 0) throw inputError({ file: where('workers.prefill.count'), field: 'workers.prefill.count' }, 'must be at least 1');
  if (!w.agg && decode === 0) throw inputError({ file: where('workers.decode.count'), field: 'workers.decode.count' }, 'must be at least 1');
  const timeout = s.client.request_timeout_seconds;
  if (timeout * 1000 > MAX_TIME_MS) throw inputError({ file: where('client.request_timeout_seconds'), field: 'client.request_timeout_seconds' }, `${timeout} s is beyond the simulated clock's range of 2^43 ms (~278 years)`);
  let gpus = 0;
  for (const g of Object.values(w)) if (g) gpus += g.count * g.engine.tensor_parallel_size;
  if (gpus > MAX_GPUS) {
    const parts = Object.entries(w).flatMap(([role, g]) => (g ? [`${role} ${g.count} x ${g.engine.tensor_parallel_size}`] : []));
    throw inputError({ file: where('workers'), field: 'workers' }, `${gpus} GPUs (${parts.join(' + ')}) exceed the ${MAX_GPUS} servesim simulates: every rank is held in memory and scored per request`);
  }
  for (const [role, g] of Object.entries(w)) {
    if (!g) continue;
    const e = g.engine;
    if (e.max_num_tokens < e.max_batch_size) throw inputError({ file: where(`workers.${role}.engine.max_num_tokens`), field: `workers.${role}.engine.max_num_tokens` }, `${e.max_num_tokens} is below max_batch_size ${e.max_batch_size}`);
    const ep = e.moe_expert_parallel_size;
    if (ep !== undefined && e.tensor_parallel_size % ep !== 0 && ep % e.tensor_parallel_size !== 0) {
      throw inputError({ file: where(`workers.${role}.engine.moe_expert_parallel_size`), field: `workers.${role}.engine.moe_expert_parallel_size` }, `${ep} does not divide or multiply tensor_parallel_size ${e.tensor_parallel_size}`);
    }
    // a decode worker never schedules a prompt chunk
    if (role !== 'decode' && e.enable_chunked_prefill && e.max_num_tokens < e.kv_cache_config.tokens_per_block) {
      throw inputError({ file: where(`workers.${role}.engine.max_num_tokens`), field: `workers.${role}.engine.max_num_tokens` }, `${e.max_num_tokens} is below tokens_per_block ${e.kv_cache_config.tokens_per_block}: no prefill chunk would fit`);
    }
    if (512 % e.kv_cache_config.tokens_per_block !== 0) {
      throw inputError({ file: where(`workers.${role}.engine.kv_cache_config.tokens_per_block`), field: `workers.${role}.engine.kv_cache_config.tokens_per_block` }, `${e.kv_cache_config.tokens_per_block} must divide the trace block of 512 tokens`);
    }
  }
  return s;
}

/** Read, override and validate a scenario file (`unset`: dotted keys of the file dropped before the overrides). */
export function loadScenario(file: string, sets: readonly string[] = [], unset: readonly string[] = [], flags: Readonly<Record<string, string>> = {}): Scenario {
  expectString(file, 'loadScenario', 'file');
  expectStrings(sets, 'loadScenario', 'sets');
  expectStrings(unset, 'loadScenario', 'unset');
  expectObject(flags, 'loadScenario', 'flags');
  const text = readTextFile(file, 'scenario file');
  const raw = parseYamlText(text, file);
  if (raw === null || raw === undefined) throw inputError({ file }, 'is empty: a scenario needs workers (agg, or prefill and decode)');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw inputError({ file }, 'must be a YAML mapping');
  const obj = raw as Record<string, unknown>;
  if (obj.name === undefined) obj.name = basename(file).replace(/\.ya?ml$/, '');
  // a model file named by a relative path is found next to the scenario (a --set model=… path, from the working folder)
  if (typeof obj.model === 'string') obj.model = modelFrom(dirname(file), obj.model);
  for (const key of unset) {
    const path = key.split('.');
    const parent = path.slice(0, -1).reduce<unknown>((node, k) => (node !== null && typeof node === 'object' && Object.hasOwn(node, k) ? (node as Record<string, unknown>)[k] : undefined), obj);
    if (parent !== null && typeof parent === 'object') delete (parent as Record<string, unknown>)[path[path.length - 1]];
  }
  applyOverrides(obj, sets, file);
  const scenario = validateScenario(obj, file, (field) => scenarioKeyWhere(file, text, sets, field, flags));
  sources.set(scenario, { file, text, sets, flags });
  return scenario;
}

/** Where each loaded scenario was read from, for errors found after loading (cost model, pools). */
const sources = new WeakMap<Scenario, { file: string; text: string; sets: readonly string[]; flags: Readonly<Record<string, string>> }>();

/** `e` as thrown while using `scenario`: an InputError about one of its keys names where that key is written. */
export function scenarioError(scenario: Scenario, e: unknown): unknown {
  const src = sources.get(scenario);
  return src ? locatedError(e, src.file, src.text, src.sets, src.flags) : e;
}
