// `servesim sweep`: a plan file, or a scenario with --vary dimensions (the quick form of the same
// plan), run into a results folder on worker threads; returns what the command prints.
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { inputError } from '../util/errors.ts';
import { isPlanFile, validatePlan, type Plan } from './plan.ts';
import { loadPlanRaw } from './plan-file.ts';
import { runSweepPlan, parseShard, type SweepOptions } from './sweep-run.ts';
import { defaultWorkers } from './pool.ts';

export interface Dimension {
  key: string;
  values: string[];
}

/** `key=v1,v2,...` → a sweep dimension. */
export function parseVary(spec: string): Dimension {
  const eq = spec.indexOf('=');
  const values = eq > 0 ? spec.slice(eq + 1).split(',').map((v) => v.trim()) : [];
  if (eq <= 0 || values.length === 0 || values.some((v) => v === '')) throw inputError({ field: '--vary' }, `expected key=v1,v2,..., got '${spec}'`);
  return { key: spec.slice(0, eq).trim(), values };
}

/** Every combination of one value per dimension, in order (the last dimension varies fastest). */
export function combinations(dims: readonly Dimension[]): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const d of dims) out = out.flatMap((c) => d.values.map((v) => ({ ...c, [d.key]: v })));
  return out;
}

/** A --vary value as YAML reads it (numbers, booleans, strings). */
function scalarOf(v: string): number | string | boolean {
  try {
    const x: unknown = parseYaml(v);
    return typeof x === 'number' || typeof x === 'boolean' || typeof x === 'string' ? x : v;
  } catch {
    return v;
  }
}

export interface SweepArgs {
  file: string;
  vary: string[];
  trace?: string;
  workload?: string;
  param: string[];
  seeds?: string;
  set: string[];
  sla?: string;
  'gpu-hour-usd'?: number;
  out?: string;
  workers?: number;
  shard?: string;
  json?: boolean;
  overwrite?: boolean;
}

/** The plan of a sweep command: the plan file (flags override its seeds, SLA, price) or the quick form. */
export function sweepPlan(a: SweepArgs): Plan {
  const overrides: Record<string, unknown> = {};
  if (a.seeds !== undefined) {
    const seeds = String(a.seeds).trim();
    // an empty entry ('42,,1') is refused by seedList, as everywhere
    overrides.seeds = /^\d+$/.test(seeds) ? Number(seeds) : seeds.split(',').map((s) => s.trim());
  }
  if (a.sla !== undefined) overrides.sla = a.sla;
  if (a['gpu-hour-usd'] !== undefined) overrides.gpu_hour_usd = a['gpu-hour-usd'];
  if (isPlanFile(a.file)) {
    if (a.vary.length > 0 || a.set.length > 0 || a.param.length > 0 || a.trace !== undefined || a.workload !== undefined) {
      throw inputError({ file: a.file }, 'a plan file holds its axes, overrides and workload: --vary, --set, --param, --trace and --workload go with a scenario file');
    }
    const flags = { seeds: '--seeds', sla: '--sla', gpu_hour_usd: '--gpu-hour-usd' } as Record<string, string>;
    const { raw, where } = loadPlanRaw(a.file, Object.fromEntries(Object.keys(overrides).map((k) => [k, flags[k]])));
    return validatePlan({ ...raw, ...overrides }, a.file, where);
  }
  if (a.vary.length === 0) throw inputError({ file: a.file }, 'not a plan file (no top-level scenario:); give --vary dimensions to sweep a scenario');
  const dims = a.vary.map(parseVary);
  const seen = new Set<string>();
  for (const d of dims) {
    if (seen.has(d.key)) throw inputError({ field: '--vary' }, `${d.key} is given twice; put all its values in one --vary`);
    seen.add(d.key);
  }
  for (const p of a.set) {
    const key = p.slice(0, Math.max(0, p.indexOf('='))).trim();
    const clash = dims.find((d) => d.key === key || d.key.startsWith(`${key}.`) || key.startsWith(`${d.key}.`));
    if (clash) throw inputError({ field: '--set' }, `${key} is also swept by --vary ${clash.key}: give each key in one place`);
  }
  for (const p of a.param) {
    const key = `param.${p.slice(0, Math.max(0, p.indexOf('='))).trim()}`;
    if (seen.has(key)) throw inputError({ field: '--param' }, `${key.slice(6)} is also swept by --vary ${key}: give each key in one place`);
  }
  const kv = (pairs: string[], field: string) =>
    Object.fromEntries(
      pairs.map((p) => {
        const eq = p.indexOf('=');
        if (eq <= 0) throw inputError({ field }, `expected key=value, got '${p}'`);
        return [p.slice(0, eq).trim(), scalarOf(p.slice(eq + 1))];
      }),
    );
  const raw = {
    name: `${basename(a.file).replace(/\.ya?ml$/, '')}-sweep`,
    scenario: a.file,
    ...(a.workload !== undefined ? { workload: a.workload } : {}),
    ...(a.trace !== undefined ? { trace: a.trace } : {}),
    params: kv(a.param, '--param'),
    set: kv(a.set, '--set'),
    axes: dims.map((d) => ({ key: d.key, values: d.values.map(scalarOf) })),
    ...overrides,
  };
  return validatePlan(raw, '--vary');
}

export async function sweepCommand(a: SweepArgs, hooks: Pick<SweepOptions, 'signal' | 'onProgress'> = {}): Promise<{ text: string; out: string }> {
  const plan = sweepPlan(a);
  const out = a.out ?? join('results', 'sweeps', plan.name);
  const shard = a.shard !== undefined ? parseShard(a.shard) : undefined;
  const workers = a.workers ?? defaultWorkers();
  if (!(Number.isInteger(workers) && workers >= 0)) throw inputError({ field: '--workers' }, `must be a whole number >= 0, got ${workers}`);
  const r = await runSweepPlan(plan, { out, workers, overwrite: a.overwrite ?? false, ...(shard ? { shard } : {}), ...hooks });
  const jobs = r.manifest.points.length * plan.seeds.length;
  const head = `plan ${plan.name}: ${r.manifest.points.length} points × ${plan.seeds.length} seed${plan.seeds.length > 1 ? 's' : ''} = ${jobs} runs${shard ? `, shard ${shard.index}/${shard.count}` : ''}; simulated ${r.ran}, reused ${r.reused} → ${out}\n`;
  if (!r.answers) return { out, text: a.json ? JSON.stringify({ shard, ran: r.ran, reused: r.reused }) + '\n' : `${head}shard done: join the shards with servesim merge <shard folders...> --out DIR\n` };
  if (a.json) return { out, text: JSON.stringify({ points: r.points, answers: r.answers.data }, null, 1) + '\n' };
  return { out, text: `${head}\n${r.answers.text}` };
}
