// DGD services: a service's container (command, flags, environment, placement-only fields) and each worker's role, GPUs, flags and engine ConfigMap.
import { parse as parseYaml } from 'yaml';
import { inputError } from '../util/errors.ts';
import { containerCommands, moduleArgs, parseArgv, type Word } from './dgd-argv.ts';
import { ENGINE_FLAGS, isObj, resolveEngine, yamlMessage, type ResolvedEngine } from './dgd-engine.ts';
import type { Findings } from './dgd-findings.ts';
import { BOOLEAN_FLAGS, CONTAINER_FIELDS, envVerdict, K8S_REASON, POD_FIELDS, SERVICE_FIELDS, WORKER_FLAGS, type Verdict } from './dgd-keys.ts';

type Obj = Record<string, unknown>;

export interface DgdContext {
  file: string;
  findings: Findings;
  /** ConfigMap name → its data (key → text) and a label for listings. */
  configMaps: Map<string, Obj>;
  /** spec.envs, applied to every service before its own. */
  graphEnv: unknown;
  layers: number;
}

/** A service's container as Dynamo starts it. */
export interface Container {
  where: string;
  field: string;
  /** The module's arguments (the words after `-m dynamo.x`). */
  args: Word[];
  env: Map<string, string | undefined>;
  mounts: Obj[];
  volumes: Obj[];
}

const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const present = (v: unknown) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0) && !(isObj(v) && Object.keys(v).length === 0);

export function container(name: string, svc: Obj, module: string, ctx: DgdContext): Container {
  const field = `spec.services.${name}`;
  const pod = isObj(svc.extraPodSpec) ? svc.extraPodSpec : {};
  const main = isObj(pod.mainContainer) ? pod.mainContainer : {};
  const env = new Map<string, string | undefined>();
  for (const e of [...list(ctx.graphEnv), ...list(svc.envs), ...list(main.env)]) {
    if (typeof e.name === 'string') env.set(e.name, e.value === undefined ? undefined : String(e.value));
  }
  const strings = (v: unknown, f: string) => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((a) => typeof a !== 'string' && typeof a !== 'number')) throw inputError({ file: ctx.file, field: `${field}.extraPodSpec.mainContainer.${f}` }, 'must be a list of strings');
    return v.map(String);
  };
  const known = new Map([...env].filter((e): e is [string, string] => e[1] !== undefined));
  const commands = containerCommands(strings(main.command, 'command'), strings(main.args, 'args'), known);
  const args = moduleArgs(commands, module);
  if (!args) {
    const other = ['dynamo.vllm', 'dynamo.sglang', 'dynamo.mocker', 'dynamo.frontend', 'dynamo.trtllm'].find((m) => m !== module && moduleArgs(commands, m));
    const what = other ? `runs ${other}` : `does not run python3 -m ${module}`;
    throw inputError({ file: ctx.file, field: `${field}.extraPodSpec.mainContainer` }, `${what}${module === 'dynamo.trtllm' ? ': servesim models TensorRT-LLM workers (dynamo.trtllm)' : ''}`);
  }
  // everything else about the service and its pod only places and starts it
  const ignored: string[] = [];
  const unknown: string[] = [];
  const mapped = new Set(['componentType', 'subComponentType', 'replicas', 'resources', 'multinode', 'extraPodSpec', 'envs']);
  for (const [k, v] of Object.entries(svc)) if (!mapped.has(k) && present(v)) (SERVICE_FIELDS.has(k) ? ignored : unknown).push(k);
  // volumes and their mounts are how the engine config is found; the rest only places and starts the pod
  for (const [k, v] of Object.entries(pod)) if (k !== 'mainContainer' && k !== 'volumes' && present(v)) (POD_FIELDS.has(k) ? ignored : unknown).push(`extraPodSpec.${k}`);
  for (const [k, v] of Object.entries(main)) if (!['command', 'args', 'env', 'volumeMounts'].includes(k) && present(v)) (CONTAINER_FIELDS.has(k) ? ignored : unknown).push(`mainContainer.${k}`);
  const res = isObj(svc.resources) ? svc.resources : {};
  for (const [k, v] of Object.entries(res)) {
    for (const r of isObj(v) ? Object.keys(v) : [k]) if (r !== 'gpu' && present(v)) ignored.push(`resources.${k}${isObj(v) ? `.${r}` : ''}`);
  }
  for (const k of ignored) ctx.findings.add('ignored', `services.${name}`, k, K8S_REASON);
  for (const k of unknown) ctx.findings.add('unsupported', `services.${name}`, k, 'not a DGD field servesim knows: its effect is not simulated');
  return { where: `services.${name}`, field, args, env, mounts: list(main.volumeMounts), volumes: list(pod.volumes) };
}

/** Flags (last one wins, as argparse does), with their `DYN_*` environment variables as fallbacks. */
export function flagMap(c: Container, envPrefix: string | undefined, ctx: DgdContext): Map<string, Word | true> {
  const flags = new Map<string, Word | true>();
  for (const a of parseArgv(c.args, BOOLEAN_FLAGS)) {
    if (a.flag === undefined) ctx.findings.add('unsupported', `${c.where} args`, a.word?.text ?? '', 'a stray argument: not a flag servesim knows');
    else flags.set(a.flag, a.value ?? true);
  }
  for (const [name, value] of c.env) {
    if (!envPrefix || !name.startsWith(envPrefix) || value === undefined) continue;
    const flag = `--${name.slice(envPrefix.length).toLowerCase().replace(/_/g, '-')}`;
    if (!flags.has(flag)) flags.set(flag, { text: value, unresolved: [] });
    c.env.delete(name);
  }
  return flags;
}

export function listEnv(c: Container, ctx: DgdContext, consumed: ReadonlySet<string>): void {
  for (const [name, value] of c.env) {
    if (consumed.has(name)) continue;
    const [kind, reason] = envVerdict(name, value, ctx.layers);
    ctx.findings.add(kind, `${c.where} env`, name, reason, value);
  }
}

export function flagVerdict(c: Container, flag: string, w: Word | true, table: Record<string, Verdict>, unknownWhat: string, ctx: DgdContext): void {
  const [kind, reason] = table[flag] ?? ['unsupported', `not a ${unknownWhat} flag servesim knows: its effect is not simulated`];
  ctx.findings.add(kind, `${c.where} args`, flag, reason, w === true ? undefined : w.text);
}

export interface WorkerSettings {
  service: string;
  role: 'agg' | 'prefill' | 'decode';
  resolved: ResolvedEngine;
  kvBlockSize: number;
  kvBlockSource: string;
  publishesKvEvents: boolean;
  gpus: number;
  /** Worker environment servesim models (scenario workers.<role>.env). */
  env: Record<string, string>;
}

/** Environment variables that map onto scenario workers.<role>.env keys. */
const MODELLED_ENV = ['TRTLLM_FORCE_COMM_METHOD'];

const ROLES: Record<string, WorkerSettings['role']> = { agg: 'agg', prefill_and_decode: 'agg', prefill: 'prefill', decode: 'decode' };
const HANDLED = new Set(['--extra-engine-args', '--override-engine-args', '--kv-block-size', '--disaggregation-mode', '--publish-events-and-metrics', '--no-publish-events-and-metrics', '--publish-kv-events', '--no-publish-kv-events', '--modality']);

/** The engine config file a worker passes with --extra-engine-args: the mount it is under and the ConfigMap behind it. */
function engineConfig(c: Container, path: Word, ctx: DgdContext): { label: string; value: Obj } {
  const field = `${c.field}.extraPodSpec.mainContainer.args --extra-engine-args`;
  if (path.unresolved.length > 0) throw inputError({ file: ctx.file, field }, `${path.text}: the path uses ${path.unresolved.join(', ')}, which the container does not set`);
  const p = path.text;
  const mount = c.mounts
    .filter((m) => typeof m.mountPath === 'string' && (p === m.mountPath || p.startsWith(`${(m.mountPath as string).replace(/\/$/, '')}/`)))
    .sort((a, b) => String(b.mountPath).length - String(a.mountPath).length)[0];
  if (!mount) throw inputError({ file: ctx.file, field }, `${p} is on no volume the container mounts, so servesim cannot read the engine config`);
  const volume = c.volumes.find((v) => v.name === mount.name);
  const cm = isObj(volume?.configMap) ? volume.configMap : undefined;
  if (!cm || typeof cm.name !== 'string') throw inputError({ file: ctx.file, field }, `${p} is on volume '${String(mount.name)}', which is not a ConfigMap: servesim cannot read the engine config`);
  const rel = p === mount.mountPath ? String(mount.subPath ?? '') : p.slice(String(mount.mountPath).replace(/\/$/, '').length + 1);
  const item = list(cm.items).find((it) => it.path === rel);
  const key = item ? String(item.key) : rel;
  const map = ctx.configMaps.get(cm.name);
  if (!map) throw inputError({ file: ctx.file, field }, `${p} is in ConfigMap '${cm.name}', which is not in ${ctx.file} (put it in the same file, after ---)`);
  const text = map[key];
  if (typeof text !== 'string') throw inputError({ file: ctx.file, field }, `${p}: ConfigMap '${cm.name}' ${text === undefined ? `has no data key '${key}'` : `data key '${key}' is not a string`}`);
  const label = `ConfigMap ${cm.name}/${key}`;
  let value: unknown;
  try {
    value = parseYaml(text, { uniqueKeys: true });
  } catch (e) {
    throw inputError({ file: ctx.file, field: `${label} (--extra-engine-args ${p})` }, `invalid YAML (${yamlMessage(e, true)})`);
  }
  if (!isObj(value)) throw inputError({ file: ctx.file, field: `${label} (--extra-engine-args ${p})` }, 'the engine config must be a YAML mapping of TensorRT-LLM arguments');
  return { label, value };
}

export function readWorker(name: string, svc: Obj, ctx: DgdContext): WorkerSettings {
  const c = container(name, svc, 'dynamo.trtllm', ctx);
  const flags = flagMap(c, 'DYN_TRTLLM_', ctx);
  const field = `${c.field}.extraPodSpec.mainContainer.args`;
  const text = (f: string) => {
    const w = flags.get(f);
    return w === undefined ? undefined : w === true ? '' : w.text;
  };
  const mode = text('--disaggregation-mode') ?? 'agg';
  const role = ROLES[mode];
  if (!role) throw inputError({ file: ctx.file, field: `${field} --disaggregation-mode` }, `'${mode}' is not modelled (agg, prefill or decode)`);
  const sub = svc.subComponentType;
  if (typeof sub === 'string' && sub !== '' && (ROLES[sub] ?? sub) !== role) {
    throw inputError({ file: ctx.file, field: `${c.field}.subComponentType` }, `${sub}, but the worker runs --disaggregation-mode ${mode}`);
  }
  const extra = flags.get('--extra-engine-args');
  if (extra === undefined || extra === true || extra.text === '') throw inputError({ file: ctx.file, field }, 'the worker passes no --extra-engine-args: it has no engine config servesim can read');
  const overrides: Array<{ label: string; value: Obj }> = [];
  const json = text('--override-engine-args');
  if (json !== undefined && json !== '') {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      value = undefined;
    }
    if (!isObj(value)) throw inputError({ file: ctx.file, field: `${field} --override-engine-args` }, 'not a JSON object (Dynamo would exit)');
    overrides.push({ label: `${c.where} --override-engine-args`, value });
  }
  const dynamic: Obj = {};
  for (const [f, w] of flags) {
    if (!f.startsWith('--trtllm.')) continue;
    const keys = f.slice('--trtllm.'.length).split('.');
    // a key that would reach Object.prototype is no TensorRT-LLM argument
    if (keys.some((k) => k === '' || k === '__proto__' || k === 'constructor' || k === 'prototype')) throw inputError({ file: ctx.file, field: `${c.where} ${f}` }, 'not a TensorRT-LLM argument path');
    let node = dynamic;
    for (const k of keys.slice(0, -1)) node = (isObj(node[k]) && Object.hasOwn(node, k) ? node[k] : (node[k] = {})) as Obj;
    let value: unknown = true;
    if (w !== true) {
      try {
        value = parseYaml(w.text);
      } catch {
        value = w.text;
      }
    }
    node[keys[keys.length - 1]] = value;
    flags.delete(f);
  }
  if (Object.keys(dynamic).length > 0) overrides.push({ label: `${c.where} --trtllm.*`, value: dynamic });
  const config = engineConfig(c, extra, ctx);
  const resolved = resolveEngine({ file: ctx.file, service: c.where, flags, config, overrides, layers: ctx.layers }, ctx.findings);

  const bsText = text('--kv-block-size');
  const kvBlockSize = bsText === undefined ? 32 : Number(bsText);
  if (!Number.isInteger(kvBlockSize) || kvBlockSize <= 0) throw inputError({ file: ctx.file, field: `${field} --kv-block-size` }, `expected a positive integer, got '${bsText}'`);
  const kvBlockSource = bsText === undefined ? "Dynamo's --kv-block-size default" : `${c.where} --kv-block-size`;
  if (bsText === undefined) ctx.findings.add('default', c.where, 'router.kv_block_size', "Dynamo's dynamo.trtllm --kv-block-size default", 32);
  const pub = ['--publish-events-and-metrics', '--publish-kv-events', '--no-publish-events-and-metrics', '--no-publish-kv-events'].filter((f) => flags.has(f)).pop();
  const publishesKvEvents = pub !== undefined && !pub.startsWith('--no-') && !['false', '0'].includes((text(pub) ?? '').toLowerCase());
  const modality = text('--modality');
  if (modality !== undefined && modality !== 'text') ctx.findings.add('unsupported', `${c.where} args`, '--modality', 'only text generation is modelled', modality);
  for (const [f, w] of flags) {
    if (HANDLED.has(f) || ENGINE_FLAGS.has(f)) continue;
    flagVerdict(c, f, w, WORKER_FLAGS, 'dynamo.trtllm', ctx);
  }
  const env: Record<string, string> = {};
  for (const name of MODELLED_ENV) {
    const v = c.env.get(name);
    if (v !== undefined) env[name] = v;
  }
  listEnv(c, ctx, new Set(Object.keys(env)));

  const res = isObj(svc.resources) ? svc.resources : {};
  const gpuText = (isObj(res.limits) ? res.limits.gpu : undefined) ?? (isObj(res.requests) ? res.requests.gpu : undefined);
  const gpusPerNode = Number(gpuText);
  const gpuField = `${c.field}.resources.limits.gpu`;
  if (gpuText === undefined || !Number.isInteger(gpusPerNode) || gpusPerNode <= 0) throw inputError({ file: ctx.file, field: gpuField }, gpuText === undefined ? 'not set: a worker needs GPUs' : `expected a positive whole number of GPUs, got '${String(gpuText)}'`);
  const nodesRaw = isObj(svc.multinode) ? svc.multinode.nodeCount : 1;
  // an integer field of the CRD: Kubernetes refuses a string ("2")
  const nodes = nodesRaw === undefined ? 1 : typeof nodesRaw === 'number' ? nodesRaw : NaN;
  if (!Number.isInteger(nodes) || nodes <= 0) throw inputError({ file: ctx.file, field: `${c.field}.multinode.nodeCount` }, `expected a positive integer (a YAML number, not a string), got ${JSON.stringify(nodesRaw)}`);
  const gpus = gpusPerNode * nodes;
  const { tp, pp, cp } = resolved.parallel;
  if (gpus !== tp * pp * cp) {
    const spans = `tensor_parallel_size ${tp}${pp > 1 ? ` × pipeline_parallel_size ${pp}` : ''}${cp > 1 ? ` × context_parallel_size ${cp}` : ''}`;
    throw inputError({ file: ctx.file, field: gpuField }, `${gpusPerNode} GPUs × ${nodes} node(s) = ${gpus} per replica, but the engine spans ${spans} = ${tp * pp * cp} GPUs`);
  }
  return { service: c.where, role, resolved, kvBlockSize, kvBlockSource, publishesKvEvents, gpus, env };
}
