// Covers the library's boundary: entry points called from plain JavaScript with bad arguments throw one
// InputError line naming the call and the argument or field (never a TypeError from deep inside, never a
// silent wrong answer); simulate() re-checks a scenario changed after loading and every request by the
// trace reader's rules; a trace the reader streams is not checked twice; good inputs still run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as lib from '../src/index.ts';
import type { TraceRequest, TraceSource } from '../src/index.ts';

const ROOT = resolve(import.meta.dirname, '..');
const FILE = join(ROOT, 'scenarios', 'disagg-kv.yaml');
const scenario = lib.loadScenario(FILE);
const requests: TraceRequest[] = (await lib.loadInputs({ workload: 'seed-coding', seed: '42' })).requests.slice(0, 30);
const base = { scenario, requests, seed: '42', workload: 'seed-coding' };
const any = lib as unknown as Record<string, (...a: unknown[]) => unknown>;
const dir = mkdtempSync(join(tmpdir(), 'servesim-libapi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The one-line InputError `f` throws. */
function inputError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(lib.InputError);
    const m = (e as Error).message;
    expect(m).not.toContain('\n');
    return m;
  }
  throw new Error('did not throw');
}

const mutated = (edit: (s: Record<string, any>) => void) => {
  const s = structuredClone(scenario) as Record<string, any>;
  edit(s);
  return s;
};
const withRequest = (i: number, patch: Record<string, unknown>) => requests.map((r, j) => (j === i ? { ...r, ...patch } : r));

describe('simulate: its arguments', () => {
  it.each([
    ['no argument', undefined, /^simulate: input: must be an object, got undefined$/],
    ['an empty object', {}, /^simulate: scenario: must be a Scenario object .*got undefined$/],
    ['a scenario alone', { scenario, seed: 's', workload: 'w' }, /^simulate: requests: must be an array of TraceRequests or a TraceSource .*got undefined$/],
    ['requests a string', { ...base, requests: 'abc' }, /^simulate: requests: must be an array .*got a string "abc"$/],
    ['an unknown option', { ...base, bogus: 1 }, /^simulate: bogus: unknown option; give scenario, requests/],
    ['seed a number', { ...base, seed: 42 }, /^simulate: seed: /],
    ['compact a string', { ...base, compact: 'yes' }, /^simulate: compact: /],
    ['a router that is not a function', { ...base, routers: { prefill: 'kv' } }, /^simulate: routers\.prefill: must be a router factory/],
  ])('%s', (_what, input, message) => {
    expect(inputError(() => lib.simulate(input as never))).toMatch(message);
  });

  it('runSliced checks the same, naming itself', async () => {
    await expect(lib.runSliced({ ...base, requests: [{ foo: 1 }] } as never)).rejects.toThrow(/^runSliced: requests\[0\]: foo: not a TraceRequest field/);
  });
});

describe('simulate: a scenario object is checked again', () => {
  it.each([
    ['an empty object', () => ({}), /^simulate: scenario: name: /],
    ['decode count 0 (after loading)', (s: any) => (s.workers.decode.count = 0), /^simulate: scenario: workers\.decode\.count: must be at least 1$/],
    ['decode count -2', (s: any) => (s.workers.decode.count = -2), /^simulate: scenario: workers\.decode\.count: /],
    ['max_batch_size NaN', (s: any) => (s.workers.decode.engine.max_batch_size = NaN), /^simulate: scenario: workers\.decode\.engine\.max_batch_size: .*NaN/],
    ["max_batch_size '8'", (s: any) => (s.workers.decode.engine.max_batch_size = '8'), /^simulate: scenario: workers\.decode\.engine\.max_batch_size: .*string/],
    ['an unknown key', (s: any) => (s.bogus = 1), /^simulate: scenario: bogus: unknown key/],
    ['max_num_tokens below max_batch_size (a check after the schema)', (s: any) => (s.workers.decode.engine.max_num_tokens = 1), /^simulate: scenario: workers\.decode\.engine\.max_num_tokens: 1 is below max_batch_size/],
  ])('%s', (_what, edit, message) => {
    const s = _what === 'an empty object' ? {} : mutated(edit as (s: Record<string, any>) => void);
    expect(inputError(() => lib.simulate({ ...base, scenario: s as never }))).toMatch(message);
  });
});

describe('simulate: every request by the trace reader rules', () => {
  it.each([
    ['an unknown field', [{ foo: 1 }], /^simulate: requests\[0\]: foo: not a TraceRequest field/],
    ['not an object', [5], /^simulate: requests\[0\]: must be a TraceRequest object, got a number 5$/],
    ['outputTokens -5', withRequest(3, { outputTokens: -5 }), /^simulate: requests\[3\]: outputTokens: must be a positive integer, got -5$/],
    ['outputTokens 1.5', withRequest(3, { outputTokens: 1.5 }), /^simulate: requests\[3\]: outputTokens: must be a positive integer, got 1\.5$/],
    ["hashIds 'abc'", withRequest(3, { hashIds: 'abc' }), /^simulate: requests\[3\]: hashIds: must be an array of non-negative integers$/],
    ['inputTokens 0', withRequest(0, { inputTokens: 0 }), /^simulate: requests\[0\]: inputTokens: must be a positive integer, got 0$/],
    ['inputTokens NaN', withRequest(0, { inputTokens: NaN }), /^simulate: requests\[0\]: inputTokens: must be a positive integer, got NaN$/],
    ['hashIds not matching inputTokens', withRequest(2, { inputTokens: 10 }), /^simulate: requests\[2\]: hashIds: has \d+ ids but inputTokens 10 needs ceil\(10\/512\) = 1$/],
    ['a negative timestamp', withRequest(0, { timestampMs: -1 }), /^simulate: requests\[0\]: timestampMs: must be a number of ms >= 0, got -1$/],
    ['an id twice', withRequest(5, { id: requests[2].id }), /^simulate: requests\[5\]: id: \d+ is the id of an earlier request/],
    ['timestamps out of order', withRequest(5, { timestampMs: 1e9 }), /^simulate: requests\[6\]: timestampMs: [\d.]+ is before the previous request's 1000000000/],
  ])('%s', (_what, reqs, message) => {
    expect(inputError(() => lib.simulate({ ...base, requests: reqs as never }))).toMatch(message);
  });

  it('a TraceSource of its own is checked as the run takes its requests', () => {
    const bad = withRequest(7, { outputTokens: 0 });
    let i = 0;
    const source: TraceSource = { length: bad.length, peek: () => bad[i], take: () => bad[i++] };
    expect(inputError(() => lib.simulate({ ...base, requests: source }))).toMatch(/^simulate: requests\[7\]: outputTokens: must be a positive integer, got 0$/);
    expect(inputError(() => lib.simulate({ ...base, requests: { peek: () => undefined, take: () => undefined, length: -1 } }))).toMatch(/^simulate: requests: length: must be a non-negative integer/);
  });

  it('good inputs run as before: an array, a source of its own, a trace file streamed by the reader', () => {
    const ran = lib.simulate(base);
    expect(ran.summary.requests.completed).toBe(30);
    let i = 0;
    const own: TraceSource = { length: requests.length, peek: () => requests[i], take: () => requests[i++] };
    expect(lib.simulate({ ...base, requests: own }).summary.requests.completed).toBe(30);
    const trace = join(dir, 'trace.jsonl');
    writeFileSync(trace, requests.map((r) => lib.requestToTraceLine(r)).join('\n') + '\n');
    const scan = lib.scanTrace(trace);
    expect(lib.simulate({ ...base, requests: lib.traceSource(scan), prefixProperty: scan.prefixProperty }).summary.requests.completed).toBe(30);
  });
});

describe('loadScenario and applyOverrides: argument types', () => {
  it('sets given as a string, or holding a number', () => {
    expect(inputError(() => any.loadScenario(FILE, 'workers.decode.count=3'))).toBe('loadScenario: sets: must be an array of strings, got a string "workers.decode.count=3"');
    expect(inputError(() => any.loadScenario(FILE, [1]))).toBe('loadScenario: sets[0]: must be a string, got a number 1');
    expect(inputError(() => any.loadScenario(undefined))).toBe('loadScenario: file: must be a string, got undefined');
    expect(inputError(() => any.applyOverrides(null, [], 'f'))).toBe('applyOverrides: raw: must be an object, got null');
    expect(inputError(() => any.applyOverrides({}, 'a=1', 'f'))).toMatch(/^applyOverrides: sets: must be an array of strings/);
  });

  it('applyOverrides writes a key the schema does not know; validateScenario refuses it afterwards (as the CLI path does)', () => {
    const raw = structuredClone(scenario) as Record<string, unknown>;
    lib.applyOverrides(raw, ['a.b.c=1'], 'f.yaml');
    expect(inputError(() => lib.validateScenario(raw, 'f.yaml'))).toMatch(/^f\.yaml: a: unknown key/);
  });
});

describe('the other entry points: argument types', () => {
  it.each([
    ['parseSla(5)', () => any.parseSla(5), 'parseSla: spec: must be a string, got a number 5'],
    ['parseShard(null)', () => any.parseShard(null), 'parseShard: spec: must be a string, got null'],
    ['loadCostModel()', () => any.loadCostModel(), 'loadCostModel: nameOrPath: must be a string, got undefined'],
    ['importDgd()', () => any.importDgd(), 'importDgd: options: must be an object, got undefined'],
    ['summarize()', () => any.summarize(), 'summarize: result: must be an object, got undefined'],
    ['costReport()', () => any.costReport(), 'costReport: scenario: must be a Scenario object (from loadScenario or validateScenario), got undefined'],
    ["routerFactory('nope')", () => any.routerFactory('nope'), 'routerFactory: config: must be an object, got a string "nope"'],
    ['writeRunFolder()', () => any.writeRunFolder(), 'writeRunFolder: dir: must be a string, got undefined'],
    ["parseTraceLine('{bad')", () => any.parseTraceLine('{bad'), 'parseTraceLine: where: must be an object, got undefined'],
  ])('%s', (_what, f, message) => {
    expect(inputError(f)).toBe(message);
  });
});

describe('simulate: the checked scenario is the one run', () => {
  it('a hand-built scenario that leaves out sections with defaults runs with the defaults (it crashed deep inside)', () => {
    const s = mutated((x) => {
      delete x.client;
      delete x.platform.iteration_slowdown;
    });
    const out = lib.simulate({ ...base, scenario: s as never });
    expect(out.summary.requests.issued).toBe(requests.length);
    expect(out.summary.requests.completed).toBe(lib.simulate(base).summary.requests.completed);
  });
});
