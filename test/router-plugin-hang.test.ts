// A plug-in that never returns — a synchronous loop at its top level or in select(), which no timer on
// its own thread can interrupt — ends `servesim run` with one line naming the file and exit 2, within
// the --router-load-timeout / --router-call-timeout given, instead of hanging (in run --seeds, compare and
// sweep too); Ctrl-C during such a call exits 130 at once; the plug-in's console output and a scenario error's location
// survive the plug-in thread; a string thrown from a plug-in timer is one line naming the plug-in.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, servesim } from './cli-spawn.ts';

const tmp = mkdtempSync(join(tmpdir(), 'servesim-hang-plugin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (router: string, out: string, extra: string[]) =>
  servesim(['run', 'scenarios/disagg-kv.yaml', '--param', 'num_requests=3', '--router', router, '--out', join(tmp, out), ...extra], { timeoutMs: 20_000 });

describe('plug-ins that never return (servesim run)', () => {
  it('a synchronous infinite loop at the top level: exit 2 after --router-load-timeout, one line', async () => {
    const t = performance.now();
    const o = await run('test/fixtures/router-busy-load.js', 'load', ['--router-load-timeout', '1']);
    expect(o.signal).toBeNull(); // not killed by the spawn timeout
    expect(o.code).toBe(2);
    expect(o.stderr).toBe('servesim: router plug-in test/fixtures/router-busy-load.js: did not load within 1 s (its top-level code or a top-level await never finished)\n');
    expect(performance.now() - t).toBeLessThan(10_000);
    expect(existsSync(join(tmp, 'load', 'summary.json'))).toBe(false);
  });

  it('a select() that loops forever: exit 2 after --router-call-timeout, one line naming the call', async () => {
    const t = performance.now();
    const o = await run('test/fixtures/router-busy-select.js', 'select', ['--router-call-timeout', '1']);
    expect(o.signal).toBeNull();
    expect(o.code).toBe(2);
    expect(o.stderr).toBe('servesim: router plug-in test/fixtures/router-busy-select.js: select (request 0) did not return within 1 s (--router-call-timeout)\n');
    expect(performance.now() - t).toBeLessThan(10_000);
    expect(existsSync(join(tmp, 'select', 'summary.json'))).toBe(false);
  });

  it('--router-call-timeout must be a positive number of seconds', async () => {
    const o = await run('test/fixtures/router-rank-rr.js', 'bad', ['--router-call-timeout', '0']);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/--router-call-timeout.*must be a positive number of seconds, got 0\n$/);
    expect(o.stderr.split('\n')).toHaveLength(2);
  });

  it('run --seeds with such a select(): the same one line, not a hang', async () => {
    const o = await servesim(['run', 'scenarios/disagg-kv.yaml', '--param', 'num_requests=3', '--router', 'test/fixtures/router-busy-select.js', '--seeds', '2', '--router-call-timeout', '1'], { timeoutMs: 20_000 });
    expect([o.signal, o.code]).toEqual([null, 2]);
    expect(o.stderr).toBe('servesim: router plug-in test/fixtures/router-busy-select.js: select (request 0) did not return within 1 s (--router-call-timeout)\n');
  });

  it('Ctrl-C during a call that never returns: exit 130 within a second or two, one line', async () => {
    const t = performance.now();
    const o = await servesim(['run', 'scenarios/disagg-kv.yaml', '--param', 'num_requests=3', '--router', 'test/fixtures/router-busy-select.js', '--router-call-timeout', '30', '--out', join(tmp, 'sigint')], {
      timeoutMs: 20_000,
      onSpawn: (kill) => setTimeout(() => kill('SIGINT'), 1500),
    });
    expect([o.signal, o.code]).toEqual([null, 130]);
    expect(o.stderr).toBe('servesim: router plug-in test/fixtures/router-busy-select.js: interrupted (SIGINT) while its code was running (select of request 0): nothing written\n');
    expect(performance.now() - t).toBeLessThan(8_000);
  });
});

describe('compare and sweep time plug-in calls too', () => {
  it('compare --workers 0 with a select() that never returns: one line after the default 10 s, exit 2', async () => {
    const t = performance.now();
    const o = await servesim(['compare', 'scenarios/agg-rr-k8s.yaml', '--trace', 'test/fixtures/tiny-trace.jsonl', '--router', 'test/fixtures/router-busy-select.js', '--seeds', '2', '--workers', '0'], { timeoutMs: 40_000 });
    expect([o.signal, o.code]).toEqual([null, 2]);
    expect(o.stderr).toMatch(/^servesim: router plug-in .*router-busy-select\.js: select \(request 0\) did not return within 10 s\n$/);
    expect(performance.now() - t).toBeLessThan(25_000);
  }, 45_000);
});

describe('what the plug-in thread keeps', () => {
  it("the plug-in's console output, every line", async () => {
    const o = await servesim(['run', 'scenarios/agg-rr-k8s.yaml', '--trace', 'test/fixtures/tiny-trace.jsonl', '--router', 'test/fixtures/router-logs.js', '--out', join(tmp, 'logs'), '--json'], { timeoutMs: 20_000 });
    expect(o.code).toBe(0);
    const n = 3; // the tiny trace's requests, all completed
    expect(JSON.parse(readFileSync(join(tmp, 'logs', 'summary.json'), 'utf8')).requests.completed).toBe(n);
    expect(o.stderr.split('\n').filter((l) => l.startsWith('select ')).length).toBe(n);
    expect(o.stdout.split('\n').filter((l) => l.startsWith('finished ')).length).toBe(n);
  });

  it("a scenario error's location, and a string thrown from a plug-in timer", async () => {
    const bad = await servesim(['run', 'scenarios/agg-rr-k8s.yaml', '--trace', 'test/fixtures/tiny-trace.jsonl', '--router', 'test/fixtures/router-rank-rr.js', '--set', 'workers.agg.engine.max_seq_len=9999999', '--out', join(tmp, 'loc')], { timeoutMs: 20_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^servesim: scenarios\/agg-rr-k8s\.yaml \(--set workers\.agg\.engine\.max_seq_len\): workers\.agg\.engine\.max_seq_len: 9999999 exceeds/);
    const str = await servesim(['run', 'scenarios/agg-rr-k8s.yaml', '--trace', 'test/fixtures/tiny-trace.jsonl', '--router', 'test/fixtures/router-throws-string-later.js', '--out', join(tmp, 'str')], { timeoutMs: 20_000 });
    expect([str.code, str.stderr]).toEqual([2, 'servesim: router plug-in test/fixtures/router-throws-string-later.js: threw from a timer or promise: oops-string\n']);
  });
});

describe('the plug-in thread reads what the main thread read', () => {
  it('a trace whose bytes differ from the sha256 the summary would name stops with one line', async () => {
    // the built library (a worker thread cannot load the .ts sources)
    const { runOnPluginThread } = (await import(join(ROOT, 'dist/app/plugin-run.js'))) as typeof import('../src/app/plugin-run.ts');
    const { loadScenario } = (await import(join(ROOT, 'dist/scenario/load.js'))) as typeof import('../src/scenario/load.ts');
    const scenario = loadScenario('scenarios/agg-rr-k8s.yaml');
    const job = { router: 'test/fixtures/router-rank-rr.js', cwd: process.cwd(), loadTimeoutMs: 10_000, callTimeoutMs: 10_000, inputs: { trace: 'test/fixtures/tiny-trace.jsonl', seed: '1' }, run: { scenario, seed: '1', workload: 'tiny', compact: true }, entry: 'agg' as const };
    expect((await runOnPluginThread(job)).summary.requests.completed).toBe(3);
    await expect(runOnPluginThread({ ...job, sha256: '0'.repeat(64) })).rejects.toThrow(/^test\/fixtures\/tiny-trace\.jsonl: changed while servesim read it \(its sha256 differs between two reads\)/);
  });
});
