// The dependency rule: imports flow one way (protocol ← kv, cost ← worker ← engine ← app ← cli; metrics
// and report read protocol data only), and no import cycle exists between files, type-only ones included.
// Parses every static import/export-from and dynamic import() of src/ (no exemption list).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** Folder → the folders its files may import (besides their own). src/index.ts is the library API: it may import anything. */
const ALLOWED: Record<string, readonly string[]> = {
  util: [],
  protocol: ['util'],
  scenario: ['util', 'protocol'],
  trace: ['util', 'protocol', 'kv'],
  kv: ['util', 'protocol'],
  cost: ['util', 'protocol', 'scenario'],
  client: ['util', 'protocol', 'scenario'],
  router: ['util', 'protocol', 'scenario'],
  worker: ['util', 'protocol', 'scenario', 'kv', 'cost'],
  engine: ['util', 'protocol', 'scenario', 'kv', 'cost', 'client', 'router', 'worker'],
  metrics: ['util', 'protocol'],
  report: ['util', 'protocol', 'metrics'],
  outputs: ['util', 'protocol', 'metrics'],
  app: ['util', 'protocol', 'scenario', 'trace', 'kv', 'cost', 'client', 'router', 'worker', 'engine', 'metrics', 'report', 'outputs'],
  cli: ['util', 'protocol', 'app', 'metrics'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative module specifiers a file imports (static, re-exports, dynamic), type-only ones included. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s+['"]([^'"]+)['"]|(?:^|[\s;])import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of source.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.')) out.push(spec);
  }
  return out;
}

const folderOf = (file: string) => {
  const rel = relative(SRC, file).split('/');
  return rel.length === 1 ? '' : rel[0];
};

const graph = new Map<string, string[]>();
for (const f of files(SRC)) {
  const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  graph.set(f, importsOf(text).map((s) => resolve(dirname(f), s)));
}

describe('architecture: the dependency rule', () => {
  it('parses imports of every kind', () => {
    expect(importsOf("import { a } from './x.ts';\nimport type { B } from '../y.ts';\nexport { c } from './z.ts';\nconst m = await import('./lazy.ts');\nimport 'node:fs';")).toEqual(['./x.ts', '../y.ts', './z.ts', './lazy.ts']);
  });

  it('every import goes to an existing file in an allowed folder', () => {
    const bad: string[] = [];
    for (const [file, deps] of graph) {
      const from = folderOf(file);
      for (const dep of deps) {
        if (!graph.has(dep)) bad.push(`${relative(SRC, file)} imports missing ${relative(SRC, dep)}`);
        const to = folderOf(dep);
        if (from === '' || to === from) continue;
        if (!(from in ALLOWED)) bad.push(`${relative(SRC, file)}: folder ${from} has no rule`);
        else if (!ALLOWED[from].includes(to)) bad.push(`${relative(SRC, file)} (${from}) imports ${relative(SRC, dep)} (${to})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('has no import cycle between files (type-only imports included)', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(SRC, p)).join(' → '));
        return;
      }
      state.set(f, 'open');
      for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of graph.keys()) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('the run loop and everything under it are pure: no I/O modules, no clock, no Math.random', () => {
    const pure = ['protocol', 'kv', 'client', 'worker', 'engine', 'metrics', 'report', 'outputs'];
    const bad: string[] = [];
    for (const file of graph.keys()) {
      if (!pure.includes(folderOf(file))) continue;
      const text = readFileSync(file, 'utf8');
      for (const pattern of [/from ['"]node:(fs|child_process|net|http|https|worker_threads)['"]/, /\bDate\.now\(|new Date\(\)|performance\.now\(/, /Math\.random\(/, /process\.(env|argv|stdout|stderr|exit)/]) {
        if (pattern.test(text)) bad.push(`${relative(SRC, file)}: ${pattern}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
