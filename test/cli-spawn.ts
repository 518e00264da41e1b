// Spawning the built CLI from tests as a user runs it (`node bin/servesim.js …` in the repo root), and
// escaping a path or message into a RegExp.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  /** Killed after this long (default 40 s). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Sees stderr so far as it comes, and can signal the process. */
  onStderr?: (text: string, kill: (s: NodeJS.Signals) => void) => void;
  onSpawn?: (kill: (s: NodeJS.Signals) => void) => void;
}

/** Run `servesim args` to its end: exit code or signal, stdout, stderr. */
export function servesim(args: string[], o: SpawnOptions = {}): Promise<Outcome> {
  return new Promise((done) => {
    const p = spawn(process.execPath, ['bin/servesim.js', ...args], { cwd: ROOT, timeout: o.timeoutMs ?? 40_000, stdio: ['ignore', 'pipe', 'pipe'], ...(o.env ? { env: o.env } : {}) });
    o.onSpawn?.((s) => p.kill(s));
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => {
      stderr += d;
      o.onStderr?.(stderr, (s) => p.kill(s));
    });
    p.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/** `s` as a literal inside a RegExp. */
export const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
