// Covers scenario loading: unknown keys (dotted key + file), --set overrides (dotted keys, YAML type parsing), worker-count and role checks, shipped scenarios.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { simulate } from '../src/app/run.ts';
import { InputError } from '../src/util/errors.ts';
import { applyOverrides, loadScenario, validateScenario } from '../src/scenario/load.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'servesim-scenario-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function yamlFile(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const AGG = `name: t
workers:
  agg:
    count: 1
    engine:
      max_batch_size: 8
`;

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).not.toContain('\n');
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

const aggRaw = () => ({ name: 't', workers: { agg: { count: 1, engine: {} } } }) as Record<string, unknown>;

describe('unknown keys', () => {
  it('names the file and the dotted key', () => {
    const raw = aggRaw();
    (raw.workers as { agg: { engine: Record<string, unknown> } }).agg.engine.max_batch_sise = 4;
    expect(errorOf(() => validateScenario(raw, 's.yaml')).message).toMatch(/^s\.yaml: workers\.agg\.engine\.max_batch_sise: unknown key \(did you mean 'max_batch_size'\?\); known here: tensor_parallel_size, /);
    expect(errorOf(() => validateScenario({ ...aggRaw(), colour: 'red' }, 's.yaml')).message).toMatch(/^s\.yaml: colour: unknown key; known here: name, description, model, /);
    expect(errorOf(() => validateScenario({ ...aggRaw(), router: { router_mode: 'kv', kv_weight: 1 } }, 's.yaml')).message).toMatch(/^s\.yaml: router\.kv_weight: unknown key \(did you mean 'kv_overlap_score_weight'\?\); known here: router_mode, /);
  });

  it('from a YAML file', () => {
    const p = yamlFile('unknown.yaml', AGG + '      kv_cache_config:\n        enable_reuse: true\n');
    expect(errorOf(() => loadScenario(p)).message).toContain(`${p}:8: workers.agg.engine.kv_cache_config.enable_reuse: unknown key (did you mean 'enable_block_reuse'?)`);
  });

  it('from --set', () => {
    const p = yamlFile('ok.yaml', AGG);
    expect(errorOf(() => loadScenario(p, ['workers.agg.engine.foo=1'])).message).toContain(`${p} (--set workers.agg.engine.foo): workers.agg.engine.foo: unknown key; known here: `);
  });
});

describe('--set overrides', () => {
  it('parse values as YAML scalars and create missing mappings', () => {
    const raw: Record<string, unknown> = { a: { b: 1 } };
    applyOverrides(raw, ['a.b=2', 'a.c=true', 'a.d=kv', 'x.y.z=2.5', 'a.e="7"', 'a.f=null', 'a.g=a=b'], 'f.yaml');
    expect(raw).toEqual({ a: { b: 2, c: true, d: 'kv', e: '7', f: null, g: 'a=b' }, x: { y: { z: 2.5 } } });
  });

  it('reject malformed settings', () => {
    expect(errorOf(() => applyOverrides({}, ['novalue'], 'f.yaml')).message).toBe('--set: novalue: expected key=value');
    expect(errorOf(() => applyOverrides({}, ['=3'], 'f.yaml')).message).toMatch(/^--set: =3: expected key=value/);
    expect(errorOf(() => applyOverrides({}, ['a..b=3'], 'f.yaml')).message).toBe('--set: a..b: empty key segment');
    expect(errorOf(() => applyOverrides({ a: 5 }, ['a.b=3'], 'f.yaml')).message).toBe('f.yaml: a.b: a is not a mapping');
  });

  it('apply to a scenario file before validation, with types checked', () => {
    const p = yamlFile('set.yaml', AGG);
    const s = loadScenario(p, [
      'workers.agg.count=3',
      'workers.agg.engine.kv_cache_config.enable_block_reuse=false',
      'workers.agg.engine.max_num_tokens=4096',
      'router.router_mode=kv',
      'client.request_timeout_seconds=2.5',
      'platform.iteration_slowdown=1.1',
      'name=renamed',
    ]);
    expect(s.name).toBe('renamed');
    expect(s.workers.agg!.count).toBe(3);
    expect(s.workers.agg!.engine.kv_cache_config.enable_block_reuse).toBe(false);
    expect(s.workers.agg!.engine.max_num_tokens).toBe(4096);
    expect(s.workers.agg!.engine.max_batch_size).toBe(8); // from the file
    expect(s.router.router_mode).toBe('kv');
    expect(s.client.request_timeout_seconds).toBe(2.5);
    expect(s.platform.iteration_slowdown).toBe(1.1);
    expect(errorOf(() => loadScenario(p, ['workers.agg.count=two'])).message).toMatch(new RegExp(`^${p} \\(--set workers\\.agg\\.count\\): workers\\.agg\\.count: `));
    expect(errorOf(() => loadScenario(p, ['router.router_mode=fastest'])).message).toMatch(new RegExp(`^${p} \\(--set router\\.router_mode\\): router\\.router_mode: `));
    expect(errorOf(() => loadScenario(p, ['workers.agg.engine.max_batch_size=-1'])).message).toMatch(/workers\.agg\.engine\.max_batch_size: /);
  });

  it("fill TensorRT-LLM's defaults and take the name from the file", () => {
    const p = yamlFile('my-deploy.yaml', 'workers:\n  agg:\n    count: 1\n    engine: {}\n');
    const s = loadScenario(p);
    expect(s.name).toBe('my-deploy');
    const e = s.workers.agg!.engine;
    // LlmArgs / KvCacheConfig defaults: TP 1, attention DP off, max_batch_size 2048, max_num_tokens 8192,
    // chunked prefill off, 32-token blocks; max_seq_len from the model (max_position_embeddings)
    expect([e.tensor_parallel_size, e.enable_attention_dp, e.max_batch_size, e.max_num_tokens, e.enable_chunked_prefill]).toEqual([1, false, 2048, 8192, false]);
    expect(e.kv_cache_config.tokens_per_block).toBe(32);
    expect(e.max_seq_len).toBeUndefined();
    expect(s.router.router_mode).toBe('round-robin');
  });

  it('a worker group that does not say its expert parallelism stops with one line when run', () => {
    const p = yamlFile('no-ep.yaml', 'workers:\n  agg:\n    count: 1\n    engine: { tensor_parallel_size: 8, enable_attention_dp: true }\n');
    expect(() => simulate({ scenario: loadScenario(p), requests: [], seed: '1', workload: 'none' })).toThrow(/workers\.agg\.engine\.moe_expert_parallel_size: not set/);
  });
});

describe('worker checks', () => {
  it('zero workers is an error naming the count key', () => {
    const p = yamlFile('zero.yaml', AGG);
    expect(errorOf(() => loadScenario(p, ['workers.agg.count=0'])).message).toBe(`${p} (--set workers.agg.count): workers.agg.count: must be at least 1`);
    const dis = { name: 'd', workers: { prefill: { count: 0, engine: {} }, decode: { count: 1, engine: {} } } };
    expect(errorOf(() => validateScenario(dis, 'd.yaml')).message).toBe('d.yaml: workers.prefill.count: must be at least 1');
    const dis2 = { name: 'd', workers: { prefill: { count: 1, engine: {} }, decode: { count: 0, engine: {} } } };
    expect(errorOf(() => validateScenario(dis2, 'd.yaml')).message).toBe('d.yaml: workers.decode.count: must be at least 1');
    expect(errorOf(() => validateScenario({ name: 'n', workers: {} }, 'n.yaml')).message).toBe('n.yaml: workers: needs workers.agg, or both workers.prefill and workers.decode');
  });

  it('agg together with prefill (or decode) is an error', () => {
    const raw = { name: 'x', workers: { agg: { count: 1, engine: {} }, prefill: { count: 1, engine: {} } } };
    expect(errorOf(() => validateScenario(raw, 'x.yaml')).message).toBe('x.yaml: workers: give either agg workers or prefill + decode workers, not both');
    const raw2 = { name: 'x', workers: { agg: { count: 1, engine: {} }, decode: { count: 1, engine: {} } } };
    expect(errorOf(() => validateScenario(raw2, 'x.yaml')).message).toMatch(/^x\.yaml: workers: give either/);
    const half = { name: 'x', workers: { prefill: { count: 1, engine: {} } } };
    expect(errorOf(() => validateScenario(half, 'x.yaml')).message).toMatch(/^x\.yaml: workers: needs/);
  });

  it('engine consistency checks name the key', () => {
    const e = (engine: Record<string, unknown>) => validateScenario({ name: 'e', workers: { agg: { count: 1, engine } } }, 'e.yaml');
    expect(errorOf(() => e({ max_batch_size: 16, max_num_tokens: 8 })).message).toMatch(/^e\.yaml: workers\.agg\.engine\.max_num_tokens: 8 is below max_batch_size 16$/);
    expect(errorOf(() => e({ kv_cache_config: { tokens_per_block: 48 } })).message).toMatch(/^e\.yaml: workers\.agg\.engine\.kv_cache_config\.tokens_per_block: 48 must divide/);
    expect(errorOf(() => e({ tensor_parallel_size: 8, moe_expert_parallel_size: 3 })).message).toMatch(/moe_expert_parallel_size: 3 does not divide/);
  });
});

describe('scenario files', () => {
  it('report missing files, bad YAML (with line) and non-mappings', () => {
    expect(errorOf(() => loadScenario(join(dir, 'none.yaml'))).message).toMatch(/none\.yaml: no such scenario file$/);
    const bad = yamlFile('bad.yaml', 'name: x\nworkers:\n  agg: [1, 2\n');
    expect(errorOf(() => loadScenario(bad)).message).toMatch(new RegExp(`^${bad}:\\d+:\\d+: invalid YAML`));
    const list = yamlFile('list.yaml', '- 1\n- 2\n');
    expect(errorOf(() => loadScenario(list)).message).toBe(`${list}: must be a YAML mapping`);
  });

  it.each(readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')))('shipped scenario %s loads', (f) => {
    const s = loadScenario(join(ROOT, 'scenarios', f));
    expect(s.name).toBe(f.replace(/\.yaml$/, ''));
    expect(Boolean(s.workers.agg) !== Boolean(s.workers.prefill && s.workers.decode)).toBe(true);
  });
});
