// `servesim import-dgd`: a DynamoGraphDeployment (+ engine ConfigMaps, + AIPerf job) → a validated, source-commented scenario file and its listing.
import { basename, dirname, relative, resolve } from 'node:path';
import { Document, isScalar, LineCounter, parseAllDocuments } from 'yaml';
import { loadCostModel } from '../cost/load.ts';
import type { CostModel } from '../cost/model.ts';
import { WorkerCost } from '../cost/worker-cost.ts';
import { MOE_BACKENDS } from '../cost/parallelism.ts';
import { ROLES } from '../protocol/roles.ts';
import { validateScenario } from '../scenario/load.ts';
import { keyLocation } from '../scenario/locate.ts';
import { isModelPath, scenarioSchema, type Scenario } from '../scenario/schema.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { InputError, inputError } from '../util/errors.ts';
import { checkNewOutput, readTextFile } from '../util/files.ts';
import { aiperfDefaults, readAiperfJob } from './dgd-aiperf.ts';
import { isObj, yamlMessage } from './dgd-engine.ts';
import { Findings, type Finding } from './dgd-findings.ts';
import { K8S_REASON } from './dgd-keys.ts';
import { readFrontend, type FrontendSettings } from './dgd-frontend.ts';
import { readWorker, type DgdContext, type WorkerSettings } from './dgd-services.ts';
import { expectObject, expectString } from '../util/guard.ts';

type Obj = Record<string, unknown>;

export interface ImportDgdOptions {
  /** The DGD file (it may hold the engine ConfigMaps too, as --- separated documents). */
  file: string;
  /** The AIPerf benchmark job (perf.yaml). */
  aiperf?: string;
  /** NAME=VALUE variables the AIPerf job's script uses but does not set. */
  aiperfEnv?: readonly string[];
  /** platform.name (a platform of the cost model); default generic. */
  platform?: string;
  /** The cost model (a name, or a path from the working folder); default the schema's. */
  model?: string;
  /** Where the scenario will be written (a model path is written relative to it; absolute on stdout). */
  out?: string;
  /** Scenario name; default metadata.name. */
  name?: string;
  /** The command line, for the header. */
  command?: string;
}

export interface ImportDgdResult {
  scenario: Scenario;
  /** The scenario as written (before schema defaults). */
  raw: Obj;
  /** The scenario file's text: header listing, then the keys with their sources. */
  yaml: string;
  findings: Finding[];
  /** The listing (the header without `# `). */
  listing: string[];
}

/** The file's non-empty documents, its text, and each document's index in the file (for keyLocation). */
function readDocs(file: string): { docs: Obj[]; text: string; index: Map<Obj, number> } {
  const text = readTextFile(file);
  const index = new Map<Obj, number>();
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { uniqueKeys: true, lineCounter });
  const all = Array.isArray(docs) ? docs : [docs];
  for (const d of all) {
    const err = d.errors[0];
    if (err) throw inputError({ file, line: err.linePos?.[0]?.line }, `invalid YAML (${yamlMessage(err)})`);
  }
  const out: Obj[] = [];
  all.forEach((d, k) => {
    let v: unknown;
    try {
      v = d.toJS();
    } catch (e) {
      throw inputError({ file, line: lineCounter.linePos(d.range[0]).line }, `invalid YAML (${yamlMessage(e)})`);
    }
    if (v === null || v === undefined) return;
    if (!isObj(v)) throw inputError({ file, line: lineCounter.linePos(d.range[0]).line }, `${all.length > 1 ? `document ${k + 1} ` : ''}must be a YAML mapping (a Kubernetes object)`);
    out.push(v);
    index.set(v, k);
  });
  if (out.length === 0) throw inputError({ file }, 'is empty');
  return { docs: out, text, index };
}

/** An error naming a key of the DGD (spec.…, metadata, kind, apiVersion) by file alone, named by file:line of that key. */
function dgdLocated(e: unknown, file: string, text: string, doc: number | undefined): unknown {
  if (!(e instanceof InputError) || doc === undefined || e.field === undefined || !/^(spec|metadata|kind|apiVersion)\b/.test(e.field) || !e.message.startsWith(`${file}: ${e.field}`)) return e;
  const out = new InputError(`${keyLocation(file, text, e.field, doc)}${e.message.slice(file.length)}`);
  out.field = e.field;
  out.located = true;
  return out;
}

export function importDgd(o: ImportDgdOptions): ImportDgdResult {
  expectObject(o, 'importDgd', 'options');
  expectString(o.file, 'importDgd', 'options.file');
  if (!o.aiperf && (o.aiperfEnv ?? []).length > 0) throw inputError({ field: '--aiperf-env' }, 'fills variables of the AIPerf job: give the job with --aiperf (without it the client keys are AIPerf defaults)');
  const { docs, text, index } = readDocs(o.file);
  try {
    return importDocs(o, docs);
  } catch (e) {
    throw dgdLocated(e, o.file, text, index.get(docs.find((d) => d.kind === 'DynamoGraphDeployment') ?? {}));
  }
}

function importDocs(o: ImportDgdOptions, docs: Obj[]): ImportDgdResult {
  const { file } = o;
  const findings = new Findings();
  const dgds = docs.filter((d) => d.kind === 'DynamoGraphDeployment');
  if (dgds.length !== 1) {
    const kinds = docs.map((d) => String(d.kind ?? 'an object without kind'));
    throw inputError({ file, field: 'kind' }, dgds.length === 0 ? `${kinds.join(', ')}, not a DynamoGraphDeployment` : `${dgds.length} DynamoGraphDeployments: import one at a time`);
  }
  const dgd = dgds[0];
  if (typeof dgd.apiVersion !== 'string' || !dgd.apiVersion.startsWith('nvidia.com/')) throw inputError({ file, field: 'apiVersion' }, `'${String(dgd.apiVersion)}': a DynamoGraphDeployment is nvidia.com/v1alpha1`);
  const meta = isObj(dgd.metadata) ? dgd.metadata : {};
  for (const k of Object.keys(meta)) if (k !== 'name') findings.add('ignored', 'metadata', k, K8S_REASON);
  const configMaps = new Map<string, Obj>();
  for (const d of docs) {
    if (d === dgd) continue;
    const name = isObj(d.metadata) ? String(d.metadata.name) : '';
    if (d.kind === 'ConfigMap' && isObj(d.data)) configMaps.set(name, d.data);
    else findings.add('ignored', file, `${String(d.kind)} ${name}`, 'another Kubernetes object, not part of the serving path');
  }
  const spec = isObj(dgd.spec) ? dgd.spec : {};
  const services = spec.services;
  if (!isObj(services) || Object.keys(services).length === 0) throw inputError({ file, field: 'spec.services' }, 'no services: a DynamoGraphDeployment needs a frontend and workers');
  if (spec.backendFramework !== undefined && spec.backendFramework !== 'trtllm') throw inputError({ file, field: 'spec.backendFramework' }, `'${String(spec.backendFramework)}': servesim models TensorRT-LLM workers (trtllm)`);
  for (const k of Object.keys(spec)) {
    if (k === 'pvcs') findings.add('ignored', 'spec', k, K8S_REASON);
    else if (!['services', 'envs', 'backendFramework'].includes(k)) findings.add('unsupported', 'spec', k, 'not a DGD field servesim knows: its effect is not simulated');
  }

  const model = o.model ?? scenarioSchema.shape.model.parse(undefined);
  const costModel = loadCostModel(model);
  const cost = costModel.spec;
  const platforms = costModel.platforms();
  const platform = o.platform ?? 'generic';
  if (!platforms.includes(platform)) throw inputError({ field: '--platform' }, `'${platform}' is not a platform of cost model ${model}; known: ${platforms.join(', ')}`);
  const ctx: DgdContext = { file, findings, configMaps, graphEnv: spec.envs, layers: cost.architecture.layers };

  let frontend: FrontendSettings | undefined;
  const workers: Array<WorkerSettings & { count: number; name: string }> = [];
  for (const [name, svc] of Object.entries(services)) {
    const field = `spec.services.${name}`;
    if (!isObj(svc)) throw inputError({ file, field }, 'must be a mapping');
    const text = JSON.stringify(svc.extraPodSpec ?? {});
    const type = typeof svc.componentType === 'string' ? svc.componentType.toLowerCase() : text.includes('dynamo.frontend') ? 'frontend' : text.includes('dynamo.trtllm') ? 'worker' : '';
    // an integer field of the CRD: Kubernetes refuses a string ("2")
    const replicas = svc.replicas === undefined ? 1 : typeof svc.replicas === 'number' ? svc.replicas : NaN;
    if (!Number.isInteger(replicas) || replicas < 0) throw inputError({ file, field: `${field}.replicas` }, `expected a whole number (a YAML number, not a string), got ${JSON.stringify(svc.replicas)}`);
    if (replicas === 0 && (type === 'frontend' || type === 'worker')) throw inputError({ file, field: `${field}.replicas` }, `0: the ${type} would not run`);
    if (type === 'frontend') {
      if (frontend) throw inputError({ file, field }, 'a second frontend service: servesim simulates one frontend');
      frontend = readFrontend(name, svc, replicas, ctx);
    } else if (type === 'worker') {
      const w = readWorker(name, svc, ctx);
      if (svc.replicas === undefined) findings.add('default', `services.${name}`, 'replicas', "not set: the operator's default", 1);
      workers.push({ ...w, count: replicas, name });
    } else if (type === 'planner') findings.add('unsupported', `services.${name}`, 'componentType', 'the planner rescales workers while serving: servesim keeps the worker counts fixed', 'planner');
    else findings.add('unsupported', `services.${name}`, 'componentType', 'a service that is neither the frontend nor a dynamo.trtllm worker: not simulated', svc.componentType ?? '(none)');
  }
  if (!frontend) throw inputError({ file, field: 'spec.services' }, 'no frontend service (componentType: frontend, python3 -m dynamo.frontend)');
  if (workers.length === 0) throw inputError({ file, field: 'spec.services' }, 'no worker services (componentType: worker, python3 -m dynamo.trtllm)');
  for (const w of workers) {
    const other = workers.find((x) => x !== w && x.role === w.role);
    if (other) throw inputError({ file, field: `spec.services.${other.name}` }, `a second ${w.role} worker service (besides ${w.name}): servesim has one worker group per role`);
  }

  // the router: the frontend's flags, the block size the workers register
  const router: Obj = { ...frontend.router };
  const sources = new Map<string, string>([...frontend.sources].map(([k, v]) => [`router.${k}`, v]));
  const sizes = [...new Set(workers.map((w) => w.kvBlockSize))];
  if (sizes.length > 1) throw inputError({ file, field: 'spec.services' }, `the workers register different --kv-block-size (${workers.map((w) => `${w.name} ${w.kvBlockSize}`).join(', ')}): servesim's router uses one block size`);
  router.kv_block_size = sizes[0];
  sources.set('router.kv_block_size', workers[0].kvBlockSource);
  if (frontend.kvCacheBlockSize !== undefined) {
    const same = frontend.kvCacheBlockSize === sizes[0];
    findings.add(same ? 'ignored' : 'unsupported', 'frontend args', '--kv-cache-block-size', same ? "the workers' --kv-block-size too" : "differs from the workers' --kv-block-size, which the scenario uses", frontend.kvCacheBlockSize);
  }
  const mode = router.router_mode;
  for (const w of workers) {
    const tpb = (w.resolved.engine.kv_cache_config as Obj).tokens_per_block;
    if (tpb !== sizes[0]) findings.add('unsupported', w.service, 'kv_cache_config.tokens_per_block', `${String(tpb)} differs from the router's --kv-block-size ${sizes[0]}: Dynamo's KV events would not line up with the router's blocks`, tpb);
    const entry = w.role !== 'decode';
    if (mode === 'kv' && router.kv_events !== false && entry && !w.publishesKvEvents) {
      findings.add('unsupported', `${w.service} args`, '--publish-kv-events (absent)', "the KV router gets no KV events from these workers (no prefix overlap); servesim's KV router always receives them");
    } else if (w.publishesKvEvents) findings.add('ignored', `${w.service} args`, '--publish-events-and-metrics', entry && mode === 'kv' ? 'feeds the KV router its KV events, as servesim does (router.kv_events)' : 'KV events nobody routes on here, and metrics');
    const backend = String((w.resolved.engine.moe_config as Obj).backend);
    if (!(MOE_BACKENDS as readonly string[]).includes(backend)) findings.add('unsupported', w.service, 'moe_config.backend', `cost model ${model} has no data for it (it has ${MOE_BACKENDS.join(', ')}): \`servesim run\` will refuse it`, backend);
  }

  const client = o.aiperf ? readAiperf(o.aiperf, o.aiperfEnv ?? [], findings) : aiperfDefaults(findings);
  for (const [k, v] of client.sources) sources.set(`client.${k}`, v);
  const name = o.name ?? (typeof meta.name === 'string' && meta.name !== '' ? meta.name : basename(file).replace(/\.ya?ml$/, ''));
  sources.set('name', o.name ? '--name' : 'metadata.name');
  sources.set('model', o.model ? '--model' : "servesim's default cost model (--model)");
  sources.set('platform.name', o.platform ? '--platform' : 'not in a DGD: --platform (default generic)');
  if (!o.platform) findings.add('default', 'platform', 'platform.name', `the cluster is not in a DGD: pass --platform (${platforms.join(', ')})`, platform);
  const raw: Obj = {
    name,
    description: `imported from ${basename(file)} (DynamoGraphDeployment ${String(meta.name ?? '')})${o.aiperf ? ` and ${basename(o.aiperf)}` : ''} by servesim import-dgd`,
    // a scenario's model path is read relative to the scenario file
    model: !isModelPath(model) ? model : o.out === undefined ? resolve(model) : relative(dirname(resolve(o.out)), resolve(model)),
    platform: { name: platform },
    client: client.client,
    router,
    ...(workers.some((w) => w.role !== 'agg') ? { disaggregation: { first_token_from: 'decode' } } : {}),
    workers: Object.fromEntries(workers.map((w) => [w.role, { count: w.count, ...(Object.keys(w.env).length > 0 ? { env: w.env } : {}), engine: w.resolved.engine }])),
  };
  if (raw.disaggregation) {
    sources.set('disaggregation.first_token_from', "Dynamo + TensorRT-LLM: the decode worker re-emits the first token (docs/engine-behaviour.md §4)");
    findings.add('default', 'disaggregation', 'first_token_from', "how Dynamo + TensorRT-LLM serve disaggregated requests: the decode worker re-emits the first token (docs/engine-behaviour.md §4)", 'decode');
  }
  for (const w of workers) {
    sources.set(`workers.${w.role}.count`, `services.${w.name}.replicas`);
    for (const [p, s] of w.resolved.sources) sources.set(`workers.${w.role}.engine.${p}`, s);
    for (const k of Object.keys(w.env)) sources.set(`workers.${w.role}.env.${k}`, `${w.service} env`);
  }
  const scenario = validated(raw, file, sources, costModel);
  const listing = findings.format();
  return { scenario, raw, yaml: render(raw, sources, header(o, name, findings), listing), findings: findings.list, listing };
}

function readAiperf(file: string, pairs: readonly string[], findings: Findings) {
  const text = readTextFile(file, 'AIPerf job file');
  const env = new Map<string, string>();
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw inputError({ field: '--aiperf-env' }, `'${p}': expected NAME=VALUE`);
    env.set(p.slice(0, eq), p.slice(eq + 1));
  }
  return readAiperfJob(file, text, env, findings);
}

/** validateScenario, then the cost model's costs of each worker role (what \`run\` would refuse), with the DGD
 *  source of the offending key added to the message. */
function validated(raw: Obj, file: string, sources: ReadonlyMap<string, string>, model: CostModel): Scenario {
  try {
    const s = validateScenario(structuredClone(raw), file);
    for (const role of ROLES) {
      const g = s.workers[role];
      if (g) new WorkerCost(model, { role, engine: g.engine, env: g.env, platform: s.platform.name, iterationSlowdown: s.platform.iteration_slowdown });
    }
    return s;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const named = (k: string) => e.field === k || e.message.startsWith(`${k}:`) || e.message.includes(`: ${k}:`) || e.message.includes(`: ${k},`);
    const key = [...sources.keys()].filter(named).sort((a, b) => b.length - a.length)[0];
    const message = e.located ? e.message : `${file}: ${e.message}`;
    const out = new InputError(key ? `${message} (from ${sources.get(key)})` : message);
    out.field = e.field;
    out.located = true;
    throw out;
  }
}

function header(o: ImportDgdOptions, name: string, findings: Findings): string[] {
  return [
    `${name}: imported from ${o.file}${o.aiperf ? ` and ${o.aiperf}` : ''}${o.command ? ` by \`${o.command}\`` : ''}.`,
    "Each value's source is the comment beside it. What the scenario does not carry, or takes from a default",
    `(${findings.count('unsupported')} unsupported, ${findings.count('ignored')} ignored, ${findings.count('default')} defaults; docs/import-dgd.md):`,
  ];
}

function render(raw: Obj, sources: ReadonlyMap<string, string>, head: string[], listing: string[]): string {
  const doc = new Document(raw);
  for (const [path, source] of sources) {
    const node = doc.getIn(path.split('.'), true);
    if (isScalar(node)) node.comment = ` ${source}`;
  }
  doc.commentBefore = [...head, '', ...listing].map((l) => (l === '' ? '' : ` ${l}`)).join('\n');
  const text = doc.toString({ lineWidth: 0 });
  return text.endsWith('\n') ? text : `${text}\n`;
}

export interface ImportDgdCommandArgs extends ImportDgdOptions {
  overwrite: boolean;
}

/** The command: import, then write the scenario atomically (or return it for stdout); the listing goes to stderr. */
export function importDgdCommand(a: ImportDgdCommandArgs): { stdout: string; stderr: string; result: ImportDgdResult } {
  const result = importDgd(a);
  const stderr = `import-dgd: ${result.listing.length > 0 ? `${a.file}:\n${result.listing.map((l) => (l === '' ? '' : `  ${l}`)).join('\n')}\n` : 'nothing to list\n'}`;
  if (a.out === undefined) return { stdout: result.yaml, stderr, result };
  checkNewOutput(a.out, '--out', a.overwrite);
  writeFileAtomic(a.out, result.yaml);
  return { stdout: `wrote ${a.out} (scenario ${result.scenario.name})\n`, stderr, result };
}
