// A plan's load search and import-dgd refuse what they would get wrong: a search key that is not a load,
// a tolerance that leaves search.high off the lattice, a load under a fixed schedule (naming the plan);
// plan and DGD errors name the line of the key (keyLocation through lists and documents); import-dgd
// refuses string replicas and what the cost model (so `run`) would refuse.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { importDgd } from '../src/app/import-dgd.ts';
import { loadPlan, validatePlan } from '../src/app/plan.ts';
import { keyLocation } from '../src/scenario/locate.ts';
import { servesim } from './cli-spawn.ts';
import { errorOf } from './helpers.ts';
import { fixture } from './dgd-fixture.ts';

type Obj = Record<string, any>;
const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'servesim-searchdgd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const write = (text: string, name = `f${n++}.yaml`) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const plan = (lines: string) => write(`scenario: ${ROOT}/scenarios/disagg-kv.yaml\nparams: { num_requests: 50 }\nsla: "time_to_first_token:p99<=20000"\n${lines}`);

describe('keyLocation', () => {
  const text = 'a:\n  b: 1\nlist:\n  - x: 1\n  - x: 2\n    y:\n      - 7\n      - 8\n';
  it('follows maps, list indices, stops at a space or comma, and falls back to the deepest key found', () => {
    expect(keyLocation('f', text, 'a.b')).toBe('f:2');
    expect(keyLocation('f', text, 'list[1].x')).toBe('f:5');
    expect(keyLocation('f', text, 'list[1].y[1]')).toBe('f:8');
    expect(keyLocation('f', text, 'list[1].y (key.with.dots)')).toBe('f:6');
    expect(keyLocation('f', text, 'a.b, a.c')).toBe('f:2');
    expect(keyLocation('f', text, 'list[5].x')).toBe('f:3');
    expect(keyLocation('f', text, 'nope')).toBe('f');
    expect(keyLocation('f', 'zip:\n  a.b: [1]\n  a.c: [2]\n', 'zip.a.c')).toBe('f:3');
  });
  it('reads the document asked for in a multi-document file', () => {
    const multi = 'kind: A\n---\nkind: B\nspec:\n  x: 1\n';
    expect(keyLocation('f', multi, 'spec.x', 1)).toBe('f:5');
    expect(keyLocation('f', multi, 'spec.x', 0)).toBe('f');
  });
});

describe('plan search', () => {
  it('refuses a search key that is not a load the docs name', () => {
    const f = plan('axes:\n  - key: workers.decode.count\n    values: [1, 4]\nsearch: { key: workers.decode.count, low: 1, high: 4, tolerance: 1 }\n');
    expect(errorOf(() => loadPlan(f)).message).toBe(`${f}:7: search.key: workers.decode.count is not a load a search can bisect; supported: param.rate_scale, client.request_rate, client.concurrency`);
    expect(errorOf(() => loadPlan(plan('search: { key: param.num_requests, low: 10, high: 40, tolerance: 10 }\n'))).message).toMatch(/:4: search\.key: param\.num_requests is not a load/);
  });
  it('refuses a tolerance above high − low (high would be ignored), and a fractional concurrency lattice', () => {
    const f = plan('search: { key: param.rate_scale, low: 0.5, high: 3, tolerance: 10 }\n');
    expect(errorOf(() => loadPlan(f)).message).toBe(`${f}:4: search.tolerance: 10 must not exceed search.high − search.low = 2.5: the lattice low + k·tolerance would hold low alone, and search.high would be ignored`);
    expect(loadPlan(plan('search: { key: param.rate_scale, low: 0.5, high: 3, tolerance: 2.5 }\n')).search!.tolerance).toBe(2.5);
    expect(errorOf(() => loadPlan(plan('search: { key: client.concurrency, low: 1, high: 8, tolerance: 1.5 }\n'))).message).toMatch(/:4: search\.tolerance: 1\.5: a concurrency is a whole number/);
  });
  it('a client.* search under a fixed schedule names the plan file', async () => {
    const f = plan('search: { key: client.request_rate, low: 1, high: 3, tolerance: 1 }\n');
    const r = await servesim(['sweep', f, '--out', join(dir, 'out-fixed')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`servesim: ${f}: search client.request_rate=1: client.fixed_schedule: a fixed schedule replays the trace timestamps; set client.fixed_schedule: false to send at a rate or a concurrency (run's --request-rate / --concurrency do that)`);
  });
});

describe('plan errors name the line', () => {
  it('of the key in the file; of the axis entry; the flag that set it; no line without a file', async () => {
    const f = plan('axes:\n  - key: workers.decode.count\n    values: [1, 2]\n  - key: param.rate_scale\n    values: []\n');
    expect(errorOf(() => loadPlan(f)).message).toBe(`${f}:8: axes[1].values (param.rate_scale): empty axis: give at least one value`);
    const g = write(`scenario: x.yaml\nseeds: 2\n\nsla: bogus\n`);
    expect(errorOf(() => loadPlan(g)).message).toMatch(new RegExp(`^${g}:4: sla: 'bogus'`));
    const h = write(`scenario: x.yaml\naxes:\n  - key: a\n    values: [1]\n    extra: 2\n`);
    expect(errorOf(() => loadPlan(h)).message).toBe(`${h}:5: axes[0].extra: unknown key`);
    const r = await servesim(['sweep', g, '--sla', 'foo', '--out', join(dir, 'out-sla')]);
    expect(r.stderr.trim()).toBe(`servesim: ${g} (--sla): sla: 'foo': expected tag[:stat]<=value (or >=, <, >)`);
    expect(errorOf(() => validatePlan({ scenario: 'x.yaml', sla: 'bogus' }, '--vary')).message).toMatch(/^--vary: sla: 'bogus'/);
  });
});

/** The test DGD (dgd-fixture.ts) as YAML text, its ConfigMap first: the DGD is the second document. */
function dgd(edit: (d: Obj, engine: Obj) => void = () => {}): string {
  const [d, cm] = fixture((x, engine) => edit(x, engine));
  return `${stringify(cm)}---\n${stringify(d)}`;
}
const lineOf = (text: string, needle: string, after = 0) => text.split('\n').findIndex((l, i) => i >= after && l.includes(needle)) + 1;

describe('import-dgd', () => {
  it('imports the fixture', () => {
    expect(importDgd({ file: write(dgd()) }).scenario.workers.agg!.count).toBe(2);
  });
  it('names the line of the DGD key in its document', () => {
    const text = dgd((d) => (d.spec.services.worker.multinode.nodeCount = 3));
    const f = write(text);
    const line = lineOf(text, 'gpu:', lineOf(text, 'kind: DynamoGraphDeployment'));
    expect(errorOf(() => importDgd({ file: f })).message).toBe(`${f}:${line}: spec.services.worker.resources.limits.gpu: 4 GPUs × 3 node(s) = 12 per replica, but the engine spans tensor_parallel_size 8 = 8 GPUs`);
  });
  it('refuses string replicas and nodeCount (Kubernetes does)', () => {
    const text = dgd((d) => (d.spec.services.worker.replicas = '2'));
    const f = write(text);
    expect(errorOf(() => importDgd({ file: f })).message).toBe(`${f}:${lineOf(text, "replicas: \"2\"")}: spec.services.worker.replicas: expected a whole number (a YAML number, not a string), got "2"`);
    const g = write(dgd((d) => (d.spec.services.worker.multinode.nodeCount = '2')));
    expect(errorOf(() => importDgd({ file: g })).message).toMatch(/:\d+: spec\.services\.worker\.multinode\.nodeCount: expected a positive integer \(a YAML number, not a string\), got "2"$/);
  });
  it('refuses what the cost model (so run) refuses, naming the file and the DGD source', async () => {
    const f = write(dgd((_d, e) => (e.moe_expert_parallel_size = 16)));
    const msg = errorOf(() => importDgd({ file: f })).message;
    expect(msg).toMatch(new RegExp(`^${f}: workers\\.agg\\.engine\\.moe_expert_parallel_size: 16 with tensor_parallel_size 8 means MoE tensor parallelism 0\\.5.* \\(from .+\\)$`));
    const out = join(dir, 'moe.yaml');
    const r = await servesim(['import-dgd', f, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('a scenario schema error of the imported engine names the file once', () => {
    const f = write(dgd((_d, e) => (e.kv_cache_config.free_gpu_memory_fraction = 1.5)));
    const msg = errorOf(() => importDgd({ file: f })).message;
    expect(msg.startsWith(`${f}: workers.agg.engine.kv_cache_config.free_gpu_memory_fraction: `)).toBe(true);
    expect(msg.split(f).length).toBe(2); // was "f: f: workers…"
  });
});

describe('plan seeds and the load a search may bisect', () => {
  it('sweep --seeds with an empty entry is refused (it was dropped)', async () => {
    const r = await servesim(['sweep', 'scenarios/disagg-kv.yaml', '--trace', 'test/fixtures/tiny-trace.jsonl', '--vary', 'workers.decode.count=1', '--seeds', '42,,1', '--workers', '0', '--out', join(dir, 'seeds')]);
    expect([r.code, r.stderr.trim()]).toEqual([2, 'servesim: --vary: seeds[1]: Too small: expected string to have >=1 characters']);
  });
  it("a workload's own load parameter: param.rate for poisson, param.rate_scale for seed-coding, neither for the other", () => {
    const plan = (workload: string, key: string) => () => validatePlan({ scenario: 'scenarios/disagg-kv.yaml', workload, axes: [{ key: 'workers.decode.count', values: [1] }], sla: 'time_to_first_token:p99<=20000', search: { key, low: 1, high: 4, tolerance: 1 } }, 'p.yaml');
    expect(plan('poisson', 'param.rate')().search?.key).toBe('param.rate');
    expect(plan('seed-coding', 'param.rate_scale')().search?.key).toBe('param.rate_scale');
    expect(plan('poisson', 'param.rate_scale')).toThrow(/search\.key: param\.rate_scale is not a load a search can bisect; supported: param\.rate, client\.request_rate, client\.concurrency$/);
    expect(plan('synthetic', 'param.rate')).toThrow(/supported: client\.request_rate, client\.concurrency$/);
  });
});
