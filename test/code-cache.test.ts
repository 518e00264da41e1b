// The CLI's V8 code cache (bin/servesim.js, bin/code-cache.js), on a private copy of bin/ and
// dist/bundle/ (other test files run the CLI in parallel): a command's first successful run leaves a
// cache beside the bundle, later runs start from it with the same output, help and failed runs leave
// none, a cache corrupted inside or replaced by text is removed and rewritten (V8 would crash on the
// first), a rebuilt bundle of the same length never takes the old bundle's cache (V8 checks only the
// length), and a router plug-in loads in a run started from the cache.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './cli-spawn.ts';

const copy = mkdtempSync(join(tmpdir(), 'servesim-code-cache-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));
cpSync(join(ROOT, 'bin'), join(copy, 'bin'), { recursive: true });
cpSync(join(ROOT, 'dist', 'bundle'), join(copy, 'dist', 'bundle'), { recursive: true, filter: (f) => !f.endsWith('.v8cache') });
for (const f of ['models', 'scenarios', 'results', 'node_modules', 'package.json']) symlinkSync(join(ROOT, f), join(copy, f));
const BUNDLE_DIR = join(copy, 'dist', 'bundle');

const cli = (...args: string[]) => spawnSync(process.execPath, [join(copy, 'bin', 'servesim.js'), ...args], { cwd: copy, encoding: 'utf8', timeout: 60_000 });
const caches = (command: string) => readdirSync(BUNDLE_DIR).filter((f) => new RegExp(`^servesim\\.cjs\\.${command}\\.[0-9a-f]{16}\\.v8cache$`).test(f));
const COST = ['cost', 'scenarios/disagg-kv.yaml', '--context-tokens', '30000'];

describe('the CLI code cache', () => {
  it('is written by a successful run only, reused with the same output, and replaced when not intact', () => {
    expect(cli('cost', 'scenarios/no-such.yaml').status).toBe(2);
    expect(cli('cost', '--help').status).toBe(0);
    expect(caches('cost')).toEqual([]);
    const first = cli(...COST);
    expect(first.status, first.stderr).toBe(0);
    expect(caches('cost')).toHaveLength(1);
    const file = join(BUNDLE_DIR, caches('cost')[0]);
    expect(cli(...COST).stdout).toBe(first.stdout);
    // bytes flipped inside the payload (V8 itself would abort on them), then plain text
    const bytes = readFileSync(file);
    for (let i = 200; i < bytes.length; i += Math.floor(bytes.length / 200)) bytes[i] ^= 0xff;
    for (const bad of [bytes, Buffer.from('not a V8 code cache')]) {
      writeFileSync(file, bad);
      const again = cli(...COST);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toBe(first.stdout);
      expect(readFileSync(file).subarray(0, 17).toString()).toBe('servesim-v8cache1');
    }
  });

  it('is not taken by a rebuilt bundle of the same length', () => {
    expect(cli(...COST).stdout).toContain(' GB per GPU');
    const bundle = join(BUNDLE_DIR, 'servesim.cjs');
    const text = readFileSync(bundle, 'utf8');
    expect(text).toContain(' GB per GPU');
    writeFileSync(bundle, text.replaceAll(' GB per GPU', ' XB per GPU'));
    const rebuilt = cli(...COST);
    expect(rebuilt.stdout).toContain(' XB per GPU');
    expect(caches('cost')).toHaveLength(2);
    writeFileSync(bundle, text);
  });

  it('loads a router plug-in in a run started from the cache', () => {
    const router = join(copy, 'first-target.mjs');
    writeFileSync(router, 'export default class { select() { return { worker: 0, rank: 0 }; } }\n');
    const args = ['run', 'scenarios/agg-rr-k8s.yaml', '--param', 'num_requests=50', '--router', router, '--no-records', '--out', join(copy, 'run'), '--overwrite'];
    const first = cli(...args);
    expect(first.status, first.stderr).toBe(0);
    expect(caches('run')).toHaveLength(1);
    const again = cli(...args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe(first.stdout);
  });
});
