// The DGD frontend: dynamo.frontend flags and their DYN_* variables → the scenario's router keys, with Dynamo's defaults.
import { inputError } from '../util/errors.ts';
import { FRONTEND_FLAGS } from './dgd-keys.ts';
import { container, flagMap, flagVerdict, listEnv, type DgdContext } from './dgd-services.ts';

type Obj = Record<string, unknown>;

export interface FrontendSettings {
  router: Obj;
  /** Router key → where its value came from. */
  sources: Map<string, string>;
  kvCacheBlockSize?: number;
  replicas: number;
}

const MODES: Record<string, string> = { kv: 'kv', 'round-robin': 'round-robin', random: 'random' };
/** Frontend flag(s) → router key; `env` are Dynamo's variables for the same setting. */
const ROUTER_FLAGS: Array<{ key: string; on: string[]; off?: string[]; env: string[]; kvOnly: boolean }> = [
  { key: 'router_mode', on: ['--router-mode'], env: ['DYN_ROUTER_MODE'], kvOnly: false },
  { key: 'kv_overlap_score_weight', on: ['--kv-overlap-score-weight', '--router-kv-overlap-score-weight'], env: ['DYN_KV_OVERLAP_SCORE_WEIGHT', 'DYN_ROUTER_KV_OVERLAP_SCORE_WEIGHT', 'DYN_OVERLAP_SCORE_WEIGHT'], kvOnly: true },
  { key: 'router_temperature', on: ['--router-temperature'], env: ['DYN_ROUTER_TEMPERATURE'], kvOnly: true },
  { key: 'kv_events', on: ['--kv-events', '--router-kv-events'], off: ['--no-kv-events', '--no-router-kv-events'], env: ['DYN_KV_EVENTS', 'DYN_ROUTER_USE_KV_EVENTS'], kvOnly: true },
  { key: 'router_ttl_secs', on: ['--router-ttl', '--router-ttl-secs'], env: ['DYN_ROUTER_TTL', 'DYN_ROUTER_TTL_SECS'], kvOnly: true },
  { key: 'router_reset_states', on: ['--router-reset-states'], off: ['--no-router-reset-states'], env: ['DYN_ROUTER_RESET_STATES'], kvOnly: true },
  { key: 'busy_threshold', on: ['--busy-threshold', '--active-decode-blocks-threshold'], env: ['DYN_BUSY_THRESHOLD', 'DYN_ACTIVE_DECODE_BLOCKS_THRESHOLD'], kvOnly: true },
  { key: 'kv_cache_block_size', on: ['--kv-cache-block-size'], env: ['DYN_KV_CACHE_BLOCK_SIZE'], kvOnly: false },
];
const KV_DEFAULTS: Record<string, unknown> = { kv_overlap_score_weight: 1, router_temperature: 0, kv_events: true, router_reset_states: false };

export function readFrontend(name: string, svc: Obj, replicas: number, ctx: DgdContext): FrontendSettings {
  const c = container(name, svc, 'dynamo.frontend', ctx);
  const flags = flagMap(c, undefined, ctx);
  const consumed = new Set<string>();
  const given = new Map<string, { value: unknown; from: string; name: string; text: string }>();
  for (const r of ROUTER_FLAGS) {
    const flag = [...(r.on ?? []), ...(r.off ?? [])].filter((f) => flags.has(f)).pop();
    const envName = r.env.find((e) => c.env.get(e) !== undefined);
    for (const e of r.env) consumed.add(e);
    const w = flag ? flags.get(flag)! : envName ? { text: c.env.get(envName)!, unresolved: [] } : undefined;
    if (flag) for (const f of [...r.on, ...(r.off ?? [])]) flags.delete(f);
    if (w === undefined) continue;
    const from = flag ? `${c.where} ${flag}` : `${c.where} env ${envName}`;
    const text = w === true ? '' : w.text;
    const field = `${c.field}.extraPodSpec.mainContainer.args ${flag ?? envName}`;
    let value: unknown;
    if (r.off && w === true) value = !r.off.includes(flag!);
    else if (r.key === 'kv_events' || r.key === 'router_reset_states') value = !['false', '0', 'no'].includes(text.toLowerCase());
    else if (r.key === 'router_mode') {
      value = MODES[text];
      if (!value) throw inputError({ file: ctx.file, field }, `router mode '${text}' is not modelled (servesim models Dynamo's ${Object.keys(MODES).join(', ')}; its least-loaded is not Dynamo's)`);
    } else if (r.key === 'busy_threshold' && text === 'None') continue;
    else {
      value = Number(text);
      if (text === '' || !Number.isFinite(value)) throw inputError({ file: ctx.file, field }, `expected a number, got '${text}'`);
    }
    given.set(r.key, { value, from, name: (flag ?? envName)!, text });
  }
  const mode = (given.get('router_mode')?.value as string | undefined) ?? 'round-robin';
  const router: Obj = { router_mode: mode };
  const sources = new Map<string, string>([['router_mode', given.get('router_mode')?.from ?? "Dynamo's --router-mode default"]]);
  if (!given.has('router_mode')) ctx.findings.add('default', c.where, 'router.router_mode', "Dynamo's --router-mode default", mode);
  if (mode === 'round-robin') {
    router.round_robin_target = 'worker';
    sources.set('round_robin_target', "Dynamo's round robin picks a worker; TensorRT-LLM's attention-DP scheduler picks the rank");
    ctx.findings.add('default', c.where, 'router.round_robin_target', "Dynamo's round robin picks a worker and TensorRT-LLM's attention-DP scheduler the rank (docs/engine-behaviour.md §5)", 'worker');
  }
  for (const r of ROUTER_FLAGS.filter((x) => x.kvOnly)) {
    const g = given.get(r.key);
    if (mode !== 'kv') {
      const at = `${c.where} ${g?.name.startsWith('-') ? 'args' : 'env'}`;
      if (g && r.key === 'busy_threshold') ctx.findings.add('unsupported', at, g.name, "Dynamo's busy detection is not tied to the KV router; servesim applies busy_threshold in its KV router only", g.text);
      else if (g) ctx.findings.add('ignored', at, g.name, `only the KV router uses it (--router-mode ${mode})`, g.text || undefined);
      continue;
    }
    if (g) {
      router[r.key] = g.value;
      sources.set(r.key, g.from);
    } else if (r.key in KV_DEFAULTS) {
      router[r.key] = KV_DEFAULTS[r.key];
      sources.set(r.key, "Dynamo's default");
      ctx.findings.add('default', c.where, `router.${r.key}`, "Dynamo's default", KV_DEFAULTS[r.key]);
    }
  }
  if (mode === 'kv' && router.kv_events === false && router.router_ttl_secs === undefined) {
    router.router_ttl_secs = 120;
    sources.set('router_ttl_secs', "Dynamo's --router-ttl default");
    ctx.findings.add('default', c.where, 'router.router_ttl_secs', "Dynamo's --router-ttl default (the approximate index without KV events)", 120);
  }
  for (const [flag, w] of flags) flagVerdict(c, flag, w, FRONTEND_FLAGS, 'dynamo.frontend', ctx);
  listEnv(c, ctx, consumed);
  if (replicas > 1) ctx.findings.add('unsupported', `services.${name}`, 'replicas', 'several frontends each run their own router with its own state: servesim simulates one', replicas);
  const bs = given.get('kv_cache_block_size');
  return { router, sources, replicas, ...(bs ? { kvCacheBlockSize: bs.value as number } : {}) };
}
