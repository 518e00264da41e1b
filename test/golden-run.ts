// The golden run: one small deterministic run made by the CLI in a fresh process (disagg-kv, 300
// requests of the default workload, seed 7), so determinism across processes is pinned, not only
// within one. Shared by test/golden.test.ts and scripts/pin.ts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
export const GOLDEN_HASH_FILE = join(ROOT, 'test', 'golden', 'summary.sha256');

export function goldenRun(): { status: number | null; stderr: string; sha256: string } {
  const dir = mkdtempSync(join(tmpdir(), 'servesim-golden-'));
  try {
    // relative paths only, so the command line written into summary.json is the same everywhere
    copyFileSync(join(ROOT, 'scenarios', 'disagg-kv.yaml'), join(dir, 'disagg-kv.yaml'));
    const args = ['run', 'disagg-kv.yaml', '--workload', 'seed-coding', '--param', 'num_requests=300', '--seed', '7', '--out', 'run'];
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'servesim.js'), ...args], { cwd: dir, encoding: 'utf8' });
    const summary = r.status === 0 ? readFileSync(join(dir, 'run', 'summary.json')) : Buffer.from('');
    return { status: r.status, stderr: r.stderr, sha256: createHash('sha256').update(summary).digest('hex') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
