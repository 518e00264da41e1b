// A plug-in that never returns — a synchronous loop at its top level or in select(), which no timer on
// its own thread can interrupt — ends `servesim run` with one line naming the file and exit 2, within
// the --router-load-timeout / --router-call-timeout given, instead of hanging.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { servesim } from './cli-spawn.ts';

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
});
