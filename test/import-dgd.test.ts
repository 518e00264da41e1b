// servesim import-dgd: DGD (+ engine ConfigMaps, + AIPerf job) → scenario. The seed's own DGDs simulate the
// same figures as the hand-written scenarios (differences only in keys named below); Dynamo's flag/file
// precedence; every setting listed; hostile input stops with one line naming file and field.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseArgv, shellCommands } from '../src/app/dgd-argv.ts';
import { importDgd, importDgdCommand, type ImportDgdOptions } from '../src/app/import-dgd.ts';
import { loadInputs } from '../src/app/inputs.ts';
import { simulate } from '../src/app/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { engineSchema, type Scenario } from '../src/scenario/schema.ts';
import { InputError } from '../src/util/errors.ts';
import { fixture } from './dgd-fixture.ts';

type Obj = Record<string, any>;
const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'servesim-dgd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function write(docs: Obj[] | string, name = `dgd-${n++}.yaml`): string {
  const p = join(dir, name);
  writeFileSync(p, typeof docs === 'string' ? docs : docs.map((d) => stringify(d)).join('---\n'));
  return p;
}
const worker = (d: Obj) => d.spec.services.worker;
const args = (d: Obj) => worker(d).extraPodSpec.mainContainer.args as string[];
const imp = (docs: Obj[] | string, o: Partial<ImportDgdOptions> = {}) => importDgd({ file: write(docs), ...o });
const listed = (r: { findings: Array<{ kind: string; key: string }> }, kind: string, key: string) => r.findings.some((f) => f.kind === kind && f.key === key);
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error('no InputError');
}

describe('command lines', () => {
  it('splits shell scripts: quotes, continuations, comments, variables, separators', () => {
    const env = new Map([['X', '20000']]);
    const cmds = shellCommands(`set -e # comment\naiperf profile \\\n  --goodput "ttft:\${X} itl:$Y" --x '\${Z}' --d \${W:-5}\necho a && echo "b;c"`, env);
    expect(cmds.map((c) => c.map((w) => w.text))).toEqual([['set', '-e'], ['aiperf', 'profile', '--goodput', 'ttft:20000 itl:$Y', '--x', '${Z}', '--d', '5'], ['echo', 'a'], ['echo', 'b;c']]);
    expect(cmds[1][3].unresolved).toEqual(['Y']);
  });
  it('parses flags: --k=v, --k v, booleans, a flag followed by a flag', () => {
    const w = (t: string) => ({ text: t, unresolved: [] });
    const a = parseArgv(['--a=1', '--b', '2', '--router-reset-states', 'pos', '--c', '--d'].map(w), new Set(['--router-reset-states']));
    expect(a.map((x) => [x.flag ?? x.word?.text, x.value?.text])).toEqual([['--a', '1'], ['--b', '2'], ['--router-reset-states', undefined], ['pos', undefined], ['--c', undefined], ['--d', undefined]]);
  });
});

describe('mapping a DGD', () => {
  it('maps replicas, GPUs, router and engine; fills TensorRT-LLM defaults and lists them', () => {
    const r = imp(fixture());
    expect(r.scenario.name).toBe('tiny');
    expect(r.scenario.platform.name).toBe('generic');
    expect(r.scenario.workers.agg?.count).toBe(2);
    expect(r.scenario.router).toMatchObject({ router_mode: 'round-robin', round_robin_target: 'worker', kv_block_size: 64 });
    const e = r.scenario.workers.agg!.engine;
    expect(e).toMatchObject({ max_batch_size: 8, max_num_tokens: 8192, enable_chunked_prefill: false, stream_interval: 1, disable_overlap_scheduler: false });
    expect(e.kv_cache_config).toEqual({ tokens_per_block: 64, dtype: 'fp8', enable_block_reuse: true, free_gpu_memory_fraction: 0.9 });
    expect(listed(r, 'default', 'kv_cache_config.enable_block_reuse')).toBe(true);
    expect(listed(r, 'default', 'client.connection_limit')).toBe(true); // no --aiperf: AIPerf defaults, said so
    expect(r.yaml).toMatch(/max_num_tokens: 8192 # Dynamo's --max-num-tokens default/);
    expect(r.yaml).toMatch(/count: 2 # services\.worker\.replicas/);
  });

  it("follows Dynamo's precedence: flags < engine file (key by key) < --override-engine-args / --trtllm.*", () => {
    const r = imp(
      fixture((d, engine) => {
        engine.kv_cache_config = { tokens_per_block: 64 };
        args(d).push('--max-batch-size', '16', '--max-num-tokens', '4096', '--free-gpu-memory-fraction', '0.5', '--override-engine-args', '{"max_num_tokens": 2048}', '--trtllm.kv_cache_config.enable_block_reuse', 'false');
        delete engine.max_batch_size;
      }),
    );
    const e = r.scenario.workers.agg!.engine;
    expect(e.max_batch_size).toBe(16); // flag, the file does not set it
    expect(e.max_num_tokens).toBe(2048); // override over flag
    expect(e.kv_cache_config.free_gpu_memory_fraction).toBe(0.9); // the file's kv_cache_config replaced the flag's
    expect(e.kv_cache_config.enable_block_reuse).toBe(false); // --trtllm.* deep-merged
    expect(listed(r, 'ignored', '--free-gpu-memory-fraction')).toBe(true);
  });

  it('reads sh -c commands, DYN_* variables, ConfigMap items, and lists what it does not map', () => {
    const r = imp(
      fixture((d, engine, cm) => {
        const fe = d.spec.services.Frontend.extraPodSpec.mainContainer;
        fe.command = ['/bin/sh', '-c'];
        fe.args = ['exec python3 -m dynamo.frontend --http-port 8000 --router-ttl 30'];
        fe.env = [{ name: 'DYN_ROUTER_MODE', value: 'kv' }, { name: 'DYN_ROUTER_TEMPERATURE', value: '0.5' }];
        worker(d).extraPodSpec.mainContainer.args = ['--extra-engine-args', '/config/e.yaml', '--publish-kv-events', '--kv-block-size', '64', '--frobnicate', '3'];
        worker(d).extraPodSpec.volumes[0].configMap.items = [{ key: 'engine.yaml', path: 'e.yaml' }];
        worker(d).extraPodSpec.tolerations = [{ key: 'x' }];
        d.spec.services.planner = { componentType: 'planner' };
        engine.speculative_config = { decoding_type: 'MTP' };
        engine.print_iter_log = true;
        void cm;
      }),
    );
    expect(r.scenario.router).toMatchObject({ router_mode: 'kv', router_temperature: 0.5, router_ttl_secs: 30 });
    expect(listed(r, 'unsupported', '--frobnicate')).toBe(true);
    expect(listed(r, 'unsupported', 'speculative_config')).toBe(true);
    expect(listed(r, 'ignored', 'print_iter_log')).toBe(true);
    expect(listed(r, 'ignored', 'extraPodSpec.tolerations')).toBe(true);
    expect(listed(r, 'ignored', '--http-port')).toBe(true);
    expect(listed(r, 'unsupported', 'componentType')).toBe(true); // the planner
    expect(listed(r, 'unsupported', '--publish-kv-events (absent)')).toBe(false);
  });

  it('disaggregated: roles from --disaggregation-mode, the decode worker returns the first token; a KV router without KV events is listed', () => {
    const r = imp(
      fixture((d) => {
        d.spec.services.Frontend.extraPodSpec.mainContainer.args = ['--router-mode', 'kv'];
        const dec = structuredClone(worker(d));
        args(d).push('--disaggregation-mode', 'prefill');
        dec.extraPodSpec.mainContainer.args.push('--disaggregation-mode', 'decode');
        dec.subComponentType = 'decode';
        d.spec.services.decode = dec;
      }),
    );
    expect(Object.keys(r.scenario.workers).sort()).toEqual(['decode', 'prefill']);
    expect(r.scenario.disaggregation.first_token_from).toBe('decode');
    expect(listed(r, 'unsupported', '--publish-kv-events (absent)')).toBe(true);
  });

  it('an engine file without tokens_per_block gets TensorRT-LLM 32; a router block size that differs is listed', () => {
    const r = imp(fixture((_d, e) => delete e.kv_cache_config.tokens_per_block));
    expect(r.scenario.workers.agg?.engine.kv_cache_config.tokens_per_block).toBe(32);
    expect(r.findings).toContainEqual(expect.objectContaining({ kind: 'unsupported', key: 'kv_cache_config.tokens_per_block', value: '32' }));
  });

  it('maps an AIPerf job: --workers-max, AIPERF_HTTP_CONNECTION_LIMIT, --goodput; lists the rest', () => {
    const script = ['set -e', 'pip install aiperf==0.7.0', 'aiperf profile -m m --url http://x:8000 --input-file "$TRACE" --custom-dataset-type mooncake_trace \\', '  --fixed-schedule --streaming --workers-max 16 --concurrency 64 \\', '  --goodput "time_to_first_token:${TTFT} request_latency:9000 inter_token_latency:40"'].join('\n');
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'bench' }, spec: { template: { spec: { containers: [{ name: 'perf', image: 'python', command: ['/bin/bash', '-c', script], env: [{ name: 'AIPERF_HTTP_CONNECTION_LIMIT', value: '100' }, { name: 'TTFT', value: '3000' }] }] } } } };
    const r = imp(fixture(), { aiperf: write([job]) });
    expect(r.scenario.client).toEqual({ connection_limit: 100, worker_processes: 16, request_timeout_seconds: 1000, goodput_ttft_ms: 3000, goodput_itl_ms: 40, fixed_schedule: true, request_rate_mode: 'poisson' });
    expect(listed(r, 'ignored', '--concurrency')).toBe(true);
    expect(listed(r, 'unsupported', 'request_latency')).toBe(true);
    expect(listed(r, 'default', 'client.request_timeout_seconds')).toBe(true);
    expect(refusal(() => imp(fixture(), { aiperf: write([{ apiVersion: 'batch/v1', kind: 'Job', spec: { template: { spec: { containers: [{ command: ['sleep', '1'] }] } } } }]) }))).toMatch(/: no container runs `aiperf profile`: not an AIPerf benchmark job$/);
  });

  it('writes atomically, reloads to the same scenario, refuses to replace a file without --overwrite', () => {
    const file = write(fixture());
    const out = join(dir, 'imported.yaml');
    const { stderr } = importDgdCommand({ file, out, overwrite: false });
    expect(stderr).toMatch(/defaults: not set in the inputs/);
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('# tiny: imported from')).toBe(true);
    expect(loadScenario(out)).toEqual(importDgd({ file }).scenario);
    expect(refusal(() => importDgdCommand({ file, out, overwrite: false }))).toBe(`${out}: --out: exists: pass --overwrite to replace it`);
    importDgdCommand({ file, out, overwrite: true });
  });

  it('a --model path (from the working folder) is written relative to the scenario file, absolute on stdout', () => {
    const file = write(fixture());
    const model = relative(process.cwd(), resolve('models', 'gb200-dsv32-nvfp4-trtllm.json'));
    const out = join(dir, 'sub', 'with-model.yaml');
    mkdirSync(dirname(out), { recursive: true });
    importDgdCommand({ file, out, model, overwrite: false });
    expect(loadScenario(out).model).toBe(resolve(model));
    expect(readFileSync(out, 'utf8')).toMatch(new RegExp(`^model: ${relative(dirname(out), resolve(model)).replace(/[.]/g, '\\.')} `, 'm'));
    expect(importDgd({ file, model }).scenario.model).toBe(resolve(model));
  });
});

describe('hostile input: one line naming the file and the field', () => {
  const cases: Array<[string, () => string, RegExp]> = [
    ['not YAML', () => write('spec: [1, 2\n'), /^\S+: invalid YAML/],
    ['not a mapping', () => write('- a\n- b\n'), /must be a YAML mapping/],
    ['a Deployment instead of a DGD', () => write([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: {} }]), /: kind: Deployment, not a DynamoGraphDeployment$/],
    ['missing services', () => write([{ apiVersion: 'nvidia.com/v1alpha1', kind: 'DynamoGraphDeployment', metadata: { name: 'x' }, spec: {} }]), /: spec\.services: no services/],
    ['duplicate keys in the DGD', () => write(`apiVersion: nvidia.com/v1alpha1\nkind: DynamoGraphDeployment\nkind: DynamoGraphDeployment\n`), /:3: invalid YAML \(Map keys must be unique/],
    ['duplicate keys in the engine config', () => write(fixture((_d, _e, cm) => (cm.data['engine.yaml'] = 'max_batch_size: 8\nmax_batch_size: 16\n'))), /ConfigMap engine-cm\/engine\.yaml \(--extra-engine-args \/config\/engine\.yaml\): invalid YAML \(Map keys must be unique/],
    ['a worker with no engine config', () => write(fixture((d) => (worker(d).extraPodSpec.mainContainer.args = ['--kv-block-size', '64']))), /spec\.services\.worker\.extraPodSpec\.mainContainer\.args: the worker passes no --extra-engine-args/],
    ['an engine config outside any ConfigMap', () => write(fixture((d) => (args(d)[1] = '/model-cache/e.yaml'))), /--extra-engine-args: \/model-cache\/e\.yaml is on no volume the container mounts/],
    ['a ConfigMap missing from the file', () => write(fixture().slice(0, 1)), /ConfigMap 'engine-cm', which is not in/],
    ['replicas 0', () => write(fixture((d) => (worker(d).replicas = 0))), /: spec\.services\.worker\.replicas: 0: the worker would not run$/],
    ['GPUs that do not match the engine', () => write(fixture((d) => (worker(d).multinode.nodeCount = 1))), /spec\.services\.worker\.resources\.limits\.gpu: 4 GPUs × 1 node\(s\) = 4 per replica, but the engine spans tensor_parallel_size 8 = 8 GPUs$/],
    ['a router mode servesim does not model', () => write(fixture((d) => (d.spec.services.Frontend.extraPodSpec.mainContainer.args = ['--router-mode', 'least-loaded']))), /--router-mode: router mode 'least-loaded' is not modelled/],
    ['a vLLM worker', () => write(fixture((d) => (worker(d).extraPodSpec.mainContainer.command = ['python3', '-m', 'dynamo.vllm']))), /mainContainer: runs dynamo\.vllm: servesim models TensorRT-LLM workers/],
    ['a --trtllm.__proto__ flag (must not pollute Object.prototype)', () => write(fixture((d) => args(d).push('--trtllm.__proto__.polluted', 'true'))), /--trtllm\.__proto__\.polluted: not a TensorRT-LLM argument path$/],
    ['an engine value the schema refuses', () => write(fixture((_d, e) => (e.kv_cache_config.dtype = 'int4'))), /workers\.agg\.engine\.kv_cache_config\.dtype: .* \(from ConfigMap engine-cm\/engine\.yaml\)$/],
  ];
  it.each(cases)('%s', (_name, file, want) => {
    const msg = refusal(() => importDgd({ file: file() }));
    expect(msg).not.toContain('\n');
    expect(msg).toMatch(want);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('an unknown --platform lists the known ones', () => {
    expect(refusal(() => imp(fixture(), { platform: 'moon' }))).toMatch(/^--platform: 'moon' is not a platform of cost model gb200-dsv32-nvfp4-trtllm; known: .*aws-gb200-k8s/);
  });
  it('the CLI exits 2 with one stderr line', async () => {
    const file = write([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } }]);
    const o = await new Promise<{ code: number | null; stderr: string; stdout: string }>((done) =>
      execFile(process.execPath, ['bin/servesim.js', 'import-dgd', file], { cwd: ROOT }, (err, stdout, stderr) => done({ code: err ? (err.code as number) : 0, stdout, stderr })),
    );
    expect(o).toEqual({ code: 2, stdout: '', stderr: `servesim: ${file}: kind: Deployment, not a DynamoGraphDeployment\n` });
  });
});

// the seed's own deployment files (../shared beside the repository; SERVESIM_SHARED points elsewhere)
const SHARED = process.env.SERVESIM_SHARED ?? resolve(ROOT, '..', 'shared');
const DGD = join(SHARED, 'reference', 'dgd');
const present = existsSync(join(DGD, 'agg.yaml'));
if (!present) console.warn(`import-dgd: the seed DGD tests are skipped, ${DGD} is absent (set SERVESIM_SHARED to the shared folder)`);

function leaves(o: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (o !== null && typeof o === 'object' && !Array.isArray(o)) for (const [k, v] of Object.entries(o)) for (const [p, x] of leaves(v, `${prefix}${k}.`)) out.set(p, x);
  else out.set(prefix.slice(0, -1), JSON.stringify(o));
  return out;
}
function diff(a: Scenario, b: Scenario): string[] {
  const [x, y] = [leaves(a), leaves(b)];
  return [...new Set([...x.keys(), ...y.keys()])].filter((k) => k !== 'name' && k !== 'description' && x.get(k) !== y.get(k)).sort();
}

describe.skipIf(!present)("the seed's DGDs (skipped without ../shared/reference/dgd)", () => {
  const requests = present ? loadInputs({ workload: 'seed-coding', seed: '42', params: { num_requests: 300 } }) : undefined;
  const figures = async (s: Scenario) => {
    const { summary } = simulate({ scenario: { ...s, name: 'same', description: '' }, requests: (await requests!).requests, seed: '42', workload: 'seed-coding' });
    return summary;
  };
  const seed = (name: string, o: Partial<ImportDgdOptions> = {}) =>
    importDgd({ file: join(DGD, `${name}.yaml`), platform: 'aws-gb200-k8s', aiperf: join(DGD, 'perf.yaml'), aiperfEnv: ['TTFT_THRESHOLD_MS=20000', 'ITL_THRESHOLD_MS=50'], ...o });

  for (const [dgd, hand] of [['agg', 'agg-rr-k8s'], ['disagg', 'disagg-kv']] as const) {
    it(`${dgd}.yaml imports to scenarios/${hand}.yaml key for key, and so simulates its figures`, async () => {
      const imported = seed(dgd).scenario;
      const written = loadScenario(join(ROOT, 'scenarios', `${hand}.yaml`));
      expect(diff(imported, written)).toEqual([]);
      expect(await figures(imported)).toEqual(await figures(written));
    }, 30_000);
  }

  it('keeps what the seed files say: stream_interval, CUDA graphs, block reuse per role; lists low-precision combine until it is a key', () => {
    const agg = seed('agg');
    expect(agg.scenario.workers.agg?.engine).toMatchObject({ stream_interval: 10, cuda_graph_config: { max_batch_size: 8, enable_padding: true }, disable_overlap_scheduler: true });
    const dis = seed('disagg');
    expect(dis.scenario.workers.prefill?.engine.kv_cache_config.enable_block_reuse).toBe(true);
    expect(dis.scenario.workers.decode?.engine).toMatchObject({ stream_interval: 10, enable_chunked_prefill: false, disable_overlap_scheduler: false, kv_cache_config: { enable_block_reuse: false } });
    // a scenario key once the schema has it (then mapped, from the file), listed as unsupported until then
    const moe = dis.scenario.workers.decode?.engine.moe_config as Obj;
    const modelled = 'use_low_precision_moe_combine' in engineSchema.parse({}).moe_config || 'use_low_precision_moe_combine' in moe;
    expect(listed(dis, 'unsupported', 'moe_config.use_low_precision_moe_combine')).toBe(!modelled);
    if (modelled) expect(moe.use_low_precision_moe_combine).toBe(true);
    expect(listed(agg, 'ignored', 'allreduce_strategy') && listed(agg, 'ignored', 'num_postprocess_workers') && listed(agg, 'ignored', 'print_iter_log')).toBe(true);
  });

  it("perf.yaml's --goodput uses variables the job does not set: listed, and filled by --aiperf-env", () => {
    const without = seed('agg', { aiperfEnv: [] });
    expect(without.scenario.client.goodput_ttft_ms).toBeUndefined();
    expect(listed(without, 'unsupported', '--goodput')).toBe(true);
    expect(seed('agg').scenario.client).toEqual({ connection_limit: 200, worker_processes: 200, request_timeout_seconds: 1000, goodput_ttft_ms: 20000, goodput_itl_ms: 50, fixed_schedule: true, request_rate_mode: 'poisson' });
  });
});
