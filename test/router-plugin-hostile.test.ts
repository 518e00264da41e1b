// Plug-in routers are trusted code, yet a plug-in that returns a promise, never finishes loading, calls
// process.exit (in a hook, swallowed, at load, from a timer during the run) or writes to what it was
// given stops the run with one line naming its file and a non-zero exit: never exit 0 without a summary.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulate } from '../src/app/run.ts';
import { TRACE_BLOCK_TOKENS, type TraceRequest } from '../src/protocol/trace.ts';
import { loadRouterPlugin } from '../src/router/plugin.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { InputError } from '../src/util/errors.ts';
import { ROOT, servesim } from './cli-spawn.ts';

const scenario = loadScenario(join(ROOT, 'scenarios/disagg-kv.yaml'));
const trace: TraceRequest[] = Array.from({ length: 4 }, (_, id) => ({ id, timestampMs: id * 100, inputTokens: 2 * TRACE_BLOCK_TOKENS, outputTokens: 8, hashIds: [2 * id, 2 * id + 1] }));
const tmp = mkdtempSync(join(tmpdir(), 'servesim-hostile-plugin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function runError(file: string): Promise<Error> {
  try {
    const router = await loadRouterPlugin(file, ROOT, 1000);
    simulate({ scenario, requests: trace, seed: '1', workload: 'x', routers: { prefill: router } });
  } catch (e) {
    return e as Error;
  }
  throw new Error(`${file}: the run did not stop`);
}

describe('hostile router plug-ins (library)', () => {
  const cases: [string, RegExp][] = [
    ['router-promise.ts', /: select returned an invalid target \{\} for request 0: select must return a target, not a promise \(routing is synchronous\)$/],
    ['router-never-loads.ts', /: did not load within 1 s \(its top-level code or a top-level await never finished\)$/],
    ['router-exit.ts', /: select called process\.exit\(0\)$/],
    ['router-exit-caught.ts', /: select called process\.exit\(0\)$/],
    ['router-exit-on-load.ts', /: its module called process\.exit\(0\) while loading$/],
    ['router-mutates.ts', /: select threw: Cannot assign to read only property 'inputTokens' of object/],
    ['router-mutates-targets.ts', /: select threw: Cannot delete property '\d+' of \[object Array\]$/],
  ];
  it.each(cases)('%s stops the run with one line naming the file', async (name, message) => {
    const exit = process.exit;
    const e = await runError(`test/fixtures/${name}`);
    expect(process.exit).toBe(exit); // the trap is gone
    expect(e).toBeInstanceOf(InputError);
    expect(e.message.startsWith(`router plug-in test/fixtures/${name}: `)).toBe(true);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
  });
});

describe('hostile router plug-ins (servesim run)', () => {
  const run = (router: string, out: string, extra: string[] = []) => servesim(['run', 'scenarios/disagg-kv.yaml', '--router', router, '--out', join(tmp, out), ...extra], { timeoutMs: 60_000 });

  it('process.exit from a timer during the run: exit 2, one line naming the file, no summary', async () => {
    // 5000 requests are ~50,000 events, several slices: the timer fires while the run yields between them
    const o = await run('test/fixtures/router-exit-later.ts', 'later', ['--param', 'num_requests=5000']);
    expect(o.code).toBe(2);
    expect(o.stderr).toBe('servesim: router plug-in test/fixtures/router-exit-later.ts: called process.exit(0) during the run; a plug-in must not end the process\n');
    expect(existsSync(join(tmp, 'later', 'summary.json'))).toBe(false);
  }, 60_000);

  it('process.exit in select and a module that never loads: exit 2 with one line each', async () => {
    const [exit, never] = await Promise.all([
      run('test/fixtures/router-exit.ts', 'exit', ['--trace', 'test/fixtures/tiny-trace.jsonl']),
      run('test/fixtures/router-never-loads.ts', 'never', ['--trace', 'test/fixtures/tiny-trace.jsonl', '--router-load-timeout', '0.5']),
    ]);
    expect([exit.code, exit.stdout, exit.stderr]).toEqual([2, '', 'servesim: router plug-in test/fixtures/router-exit.ts: select called process.exit(0)\n']);
    expect([never.code, never.stdout, never.stderr]).toEqual([2, '', 'servesim: router plug-in test/fixtures/router-never-loads.ts: did not load within 0.5 s (its top-level code or a top-level await never finished)\n']);
  }, 60_000);
});
