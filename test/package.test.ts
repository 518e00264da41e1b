// The package as a user gets it: `npm pack`, install the tarball into an empty project outside the
// repository, `import('servesim')` works, and the README's library example (examples/library.ts)
// type-checks against the installed types and runs. Needs the npm cache to hold the dependencies
// (as after `npm ci`); skipped with the reason when npm cannot install offline.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'servesim-package-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function install(): string | undefined {
  // dist/ as `npm test` built it: packing without the prepare script does not rebuild the bundle under
  // the CLI runs of the other test files
  const packed = spawnSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
  if (packed.status !== 0) return `npm pack failed: ${packed.stderr.trim().split('\n').pop()}`;
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'uses-servesim', private: true, type: 'module' }));
  const r = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(dir, tarball)], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return r.status === 0 ? undefined : `npm install of the tarball failed: ${(r.stderr || '').trim().split('\n').pop()}`;
}
const problem = install();
if (problem) console.warn(`package test skipped: ${problem}`);

describe.skipIf(problem !== undefined)(`the packed package${problem ? ` (skipped: ${problem})` : ''}`, () => {
  it('holds no tests, imports from outside the repo, and the README example type-checks and runs', () => {
    const files = execFileSync('tar', ['-tzf', join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!)], { encoding: 'utf8' }).split('\n');
    expect(files.some((f) => f.startsWith('package/test/'))).toBe(false);
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.d.ts');
    const imported = spawnSync(process.execPath, ['-e', "import('servesim').then((m) => console.log(typeof m.simulate, m.REPORTED_RUNS.length))"], { cwd: dir, encoding: 'utf8' });
    expect(imported.stdout.trim(), imported.stderr).toBe('function 3');
    // the installed CLI is the bundle (dist/bundle/), without code caches of the packing machine, and
    // finds its models and scenarios from there
    expect(files).toContain('package/dist/bundle/servesim.cjs');
    expect(files.filter((f) => f.includes('.v8cache') || f.startsWith('package/dist/cli/'))).toEqual([]);
    const pkg = join(dir, 'node_modules', 'servesim');
    const cost = spawnSync(process.execPath, [join(pkg, 'bin', 'servesim.js'), 'cost', join(pkg, 'scenarios', 'disagg-kv.yaml'), '--context-tokens', '40000'], { cwd: dir, encoding: 'utf8' });
    expect(cost.status, cost.stderr).toBe(0);
    expect(cost.stdout).toMatch(/attention/i);
    copyFileSync(join(ROOT, 'examples', 'library.ts'), join(dir, 'example.ts'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'], skipLibCheck: false, outDir: 'out' }, files: ['example.ts'] }));
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir, '--typeRoots', join(ROOT, 'node_modules', '@types')], { encoding: 'utf8' });
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    const ran = spawnSync(process.execPath, [join(dir, 'out', 'example.js')], { cwd: dir, encoding: 'utf8' });
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('Serving Benchmark Result');
    expect(ran.stdout).toMatch(/40 GPUs: \d+(\.\d+)? output tok\/s per GPU/);
  });
});
