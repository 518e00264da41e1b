// The CLI's V8 code cache (bin/servesim.js): a command's first successful run leaves a cache beside the
// bundle, named by the bundle's hash, later runs start from it with the same output, a router plug-in still loads (a script compiled
// from a cache has no import() of its own: the loader passes one), a corrupt cache is ignored and
// replaced, and a failed command leaves none.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, servesim } from './cli-spawn.ts';

const dir = mkdtempSync(join(tmpdir(), 'servesim-code-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// named by the bundle's content (V8 checks a cache's source by its length only)
const BUNDLE = join(ROOT, 'dist', 'bundle', 'servesim.cjs');
const cacheOf = (command: string) => `${BUNDLE}.${command}.${createHash('sha1').update(readFileSync(BUNDLE, 'utf8')).digest('hex').slice(0, 16)}.v8cache`;
// `cost` alone: no other test file runs it, so the file is this test's own
const cache = cacheOf('cost');
const cost = ['cost', 'scenarios/disagg-kv.yaml', '--context-tokens', '30000'];

describe('the CLI code cache', () => {
  it('is written by the first successful run, reused with the same output, and replaced when corrupt', async () => {
    rmSync(cache, { force: true });
    const failed = await servesim(['cost', 'scenarios/no-such.yaml']);
    expect(failed.code).toBe(2);
    expect(existsSync(cache)).toBe(false);
    const first = await servesim(cost);
    expect(first.code, first.stderr).toBe(0);
    expect(statSync(cache).size).toBeGreaterThan(10_000);
    const second = await servesim(cost);
    expect(second.stdout).toBe(first.stdout);
    writeFileSync(cache, 'not a V8 code cache');
    const third = await servesim(cost);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toBe(first.stdout);
    expect(readFileSync(cache, 'utf8').startsWith('not a V8')).toBe(false);
  });

  it('loads a router plug-in in a run started from the cache', async () => {
    const router = join(dir, 'first-target.mjs');
    writeFileSync(router, 'export default class { select() { return { worker: 0, rank: 0 }; } }\n');
    const args = ['run', 'scenarios/agg-rr-k8s.yaml', '--param', 'num_requests=50', '--router', router, '--no-records', '--out', join(dir, 'run')];
    const first = await servesim([...args, '--overwrite']);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(cacheOf('run'))).toBe(true);
    const again = await servesim([...args, '--overwrite']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(first.stdout);
  });
});
