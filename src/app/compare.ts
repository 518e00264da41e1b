// `servesim compare`: several variants (scenario files, or one scenario with --variant overrides or
// plug-in routers) on the same workload samples (same seeds); every figure as mean ± 95 % CI, and the
// difference of each variant to the first paired by seed, with its CI and whether it excludes zero.
import { basename, resolve } from 'node:path';
import { inputError } from '../util/errors.ts';
import { checkReadableFile } from '../util/files.ts';
import { confidenceInterval, type Interval } from '../util/stats.ts';
import { textTable } from '../util/text-table.ts';
import { fmt } from './answers.ts';
import { metricValue, type Figures, type StatName } from './figures.ts';
import { intervalSeeds, validatePlan, type Plan } from './plan.ts';
import { jobOf, resolvePoint, type Job } from './points.ts';
import { runPool } from './pool.ts';

export interface Variant {
  name: string;
  scenario: string;
  sets: string[];
  params: string[];
  router?: string;
}

/** The figures compared: AIPerf tag, statistic (record metrics), label. */
export const COMPARE_FIGURES: { tag: string; stat?: StatName; label: string }[] = [
  { tag: 'request_throughput', label: 'request throughput (req/s)' },
  { tag: 'output_token_throughput', label: 'output token throughput (tok/s)' },
  { tag: 'output_token_throughput_per_gpu', label: 'output tokens/s/GPU' },
  { tag: 'output_token_throughput_per_user', stat: 'mean', label: 'tokens/s/user (mean)' },
  { tag: 'time_to_first_token', stat: 'mean', label: 'TTFT mean (ms)' },
  { tag: 'time_to_first_token', stat: 'median', label: 'TTFT median (ms)' },
  { tag: 'time_to_first_token', stat: 'p99', label: 'TTFT p99 (ms)' },
  { tag: 'inter_token_latency', stat: 'mean', label: 'ITL mean (ms)' },
  { tag: 'inter_token_latency', stat: 'median', label: 'ITL median (ms)' },
  { tag: 'inter_token_latency', stat: 'p99', label: 'ITL p99 (ms)' },
  { tag: 'request_latency', stat: 'mean', label: 'E2EL mean (ms)' },
  { tag: 'request_latency', stat: 'p99', label: 'E2EL p99 (ms)' },
  { tag: 'goodput', label: 'goodput (req/s)' },
  { tag: 'error_request_count', label: 'timed out + rejected' },
];

/** "name:--set k=v --set k=v --router file.ts --param k=v" → a variant of `scenario`. */
export function parseVariant(spec: string, scenario: string): Variant {
  const colon = spec.indexOf(':');
  const name = colon > 0 ? spec.slice(0, colon).trim() : '';
  if (name === '') throw inputError({ field: '--variant' }, `expected "name:--set key=value ...", got '${spec}'`);
  const words = spec.slice(colon + 1).trim().split(/\s+/).filter((w) => w !== '');
  const v: Variant = { name, scenario, sets: [], params: [] };
  for (let i = 0; i < words.length; i += 2) {
    const [flag, value] = [words[i], words[i + 1]];
    if (value === undefined) throw inputError({ field: `--variant ${name}` }, `${flag} needs a value`);
    if (flag === '--set') v.sets.push(value);
    else if (flag === '--param') v.params.push(value);
    else if (flag === '--router') v.router = value;
    else throw inputError({ field: `--variant ${name}` }, `unknown flag ${flag}; a variant takes --set key=value, --param name=number and --router file`);
  }
  return v;
}

export interface CompareArgs {
  files: string[];
  variant: string[];
  router?: string;
  seeds: string;
  trace?: string;
  workload?: string;
  param: string[];
  set: string[];
  workers: number;
}

export function variantsOf(a: Pick<CompareArgs, 'files' | 'variant' | 'router' | 'set'>): Variant[] {
  if (a.files.length === 0) throw inputError({ field: 'compare' }, 'name at least one scenario');
  if (a.files.length > 1 && (a.variant.length > 0 || a.router !== undefined)) throw inputError({ field: '--variant' }, 'give several scenario files, or one scenario with --variant / --router, not both');
  const base = (f: string): Variant => ({ name: basename(f).replace(/\.ya?ml$/, ''), scenario: f, sets: [...a.set], params: [] });
  let out: Variant[];
  if (a.files.length > 1) out = a.files.map(base);
  else {
    out = [base(a.files[0]), ...a.variant.map((s) => parseVariant(s, a.files[0]))];
    out.slice(1).forEach((v) => v.sets.unshift(...a.set));
    if (a.router !== undefined) out.push({ ...base(a.files[0]), name: `router ${basename(a.router)}`, router: a.router });
  }
  if (out.length < 2) throw inputError({ field: '--variant' }, 'compare needs at least two variants: several scenario files, or --variant / --router');
  const names = out.map((v) => v.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw inputError({ field: '--variant' }, `two variants are called ${dup}`);
  for (const v of out) onceEach(v, 'set', v.sets);
  return out;
}

/**
 * Each key of a variant's --set (the --set of every variant, then its own) or --param list once, as
 * key=value: a repeated key would silently take its last value.
 */
function onceEach(v: Variant, flag: 'set' | 'param', list: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const s of list) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw inputError({ field: `variant ${v.name}` }, `--${flag} ${s}: expected key=value`);
    const key = s.slice(0, eq).trim();
    const prev = seen.get(key);
    if (prev !== undefined) throw inputError({ field: `variant ${v.name}` }, `--${flag} ${key}: given twice ('${prev}', then '${s}'): give each key once (a --${flag} for every variant and a variant's own count as one list)`);
    seen.set(key, s);
  }
}

export interface CompareResult {
  seeds: string[];
  variants: string[];
  figures: { label: string; tag: string; stat?: StatName; values: number[][]; perVariant: Interval[]; diffs: (Interval & { distinguishable: boolean })[] }[];
}

export async function compareVariants(variants: readonly Variant[], o: { seeds: string[]; trace?: string; workload?: string; param: string[]; workers: number }): Promise<CompareResult> {
  for (const v of variants) onceEach(v, 'param', [...o.param, ...v.params]);
  const plans: Plan[] = variants.map((v) =>
    validatePlan(
      {
        name: v.name,
        scenario: v.scenario,
        ...(o.trace !== undefined ? { trace: o.trace } : {}),
        ...(o.workload !== undefined ? { workload: o.workload } : {}),
        params: pairs([...o.param, ...v.params]),
        set: {},
        seeds: o.seeds,
      },
      '--variant',
    ),
  );
  const jobs: Job[] = [];
  plans.forEach((plan, vi) => {
    const inputs: Record<string, string> = Object.fromEntries(variants[vi].sets.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]));
    const p = resolvePoint(plan, vi, { ...inputs, ...(variants[vi].router ? { router: variants[vi].router! } : {}) }, `variant ${variants[vi].name}`);
    for (const seed of o.seeds) jobs.push(jobOf(plan, p, seed));
  });
  const got = new Map<string, Figures>();
  await runPool(jobs, o.workers, (job, f) => got.set(`${job.point}:${job.seed}`, f));
  const runs = variants.map((_, vi) => o.seeds.map((s) => got.get(`${vi}:${s}`)!));
  const figures = COMPARE_FIGURES.map((fig) => {
    const values = runs.map((rs) => rs.map((f) => metricValue(f, fig.tag, fig.stat)));
    const perVariant = values.map((xs) => confidenceInterval(xs));
    const diffs = values.slice(1).map((xs) => {
      const ci = confidenceInterval(xs.map((x, i) => x - values[0][i]));
      return { ...ci, distinguishable: ci.n >= 2 && Number.isFinite(ci.half) && (ci.lo > 0 || ci.hi < 0) };
    });
    return { ...fig, values, perVariant, diffs };
  });
  return { seeds: o.seeds, variants: variants.map((v) => v.name), figures };
}

function pairs(list: readonly string[]): Record<string, number> {
  return Object.fromEntries(
    list.map((p) => {
      const eq = p.indexOf('=');
      const v = Number(p.slice(eq + 1));
      if (eq <= 0 || !Number.isFinite(v)) throw inputError({ field: '--param' }, `expected name=number, got '${p}'`);
      return [p.slice(0, eq), v];
    }),
  );
}

const pm = (ci: Interval) => (Number.isFinite(ci.half) ? `${fmt(ci.mean)} ± ${fmt(ci.half)}` : fmt(ci.mean));
const signed = (x: number) => (Number.isFinite(x) && x > 0 ? `+${fmt(x)}` : fmt(x));

export function compareText(r: CompareResult): string {
  const a = r.variants[0];
  const out = [`${r.variants.length} variants on the same ${r.seeds.length} workload samples (seeds ${r.seeds.join(', ')}): mean ± 95 % CI (Student t, ${r.seeds.length - 1} degrees of freedom); differences to ${a} paired by seed`];
  const head = ['figure', ...r.variants, ...r.variants.slice(1).flatMap((b) => [`${b} − ${a} (paired)`, '95 % CI', 'distinguishable'])];
  const body = r.figures.map((f) => [
    f.label,
    ...f.perVariant.map(pm),
    ...f.diffs.flatMap((d) => [Number.isFinite(d.half) ? `${signed(d.mean)} ± ${fmt(d.half)}` : signed(d.mean), Number.isFinite(d.half) ? `[${fmt(d.lo)}, ${fmt(d.hi)}]` : '–', d.distinguishable ? 'yes' : 'no'] ),
  ]);
  out.push(textTable(head, body, 1));
  const yes = r.figures.flatMap((f) => f.diffs.map((d, i) => (d.distinguishable ? `${f.label} (${r.variants[i + 1]})` : null)).filter((x) => x !== null));
  out.push('', yes.length > 0 ? `distinguishable from zero: ${yes.join('; ')}` : 'no difference is distinguishable from zero at these seeds');
  return out.join('\n') + '\n';
}

/** --seeds of compare (the CLI refuses it twice): at least two; seedList caps the count and refuses a seed twice. */
export function compareSeeds(spec: string): string[] {
  return intervalSeeds(spec);
}

/** Every plug-in router a variant names is a readable regular file (checked before any run starts). */
function checkRouters(variants: readonly Variant[]): void {
  for (const v of variants) {
    if (v.router === undefined) continue;
    const file = resolve(v.router);
    try {
      checkReadableFile(file, 'plug-in module');
    } catch (e) {
      throw inputError({ file: `router plug-in ${v.router}` }, /no such/.test((e as Error).message) ? 'file not found' : (e as Error).message.slice(file.length + 2));
    }
  }
}

export async function compareCommand(a: CompareArgs): Promise<{ text: string; result: CompareResult }> {
  const workers = a.workers;
  if (!(Number.isInteger(workers) && workers >= 0)) throw inputError({ field: '--workers' }, `must be a whole number >= 0, got ${workers}`);
  const seeds = compareSeeds(a.seeds);
  const variants = variantsOf(a);
  checkRouters(variants);
  const result = await compareVariants(variants, { seeds, trace: a.trace, workload: a.workload, param: a.param, workers });
  return { text: compareText(result), result };
}
