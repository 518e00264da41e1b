// Workload parameters: documented, typed, range-checked numbers a built-in workload takes
// (`--param name=value`), merged over the workload's defaults.
import { inputError } from '../util/errors.ts';
import { didYouMean } from '../util/suggest.ts';

/** Documented parameters of a workload: name -> [default, meaning]. */
export type ParamSpec = Record<string, { default: number; doc: string; integer?: boolean; min?: number; minExclusive?: boolean; max?: number }>;

/** Most requests a built-in workload generates (they are held in memory: ~1 KB each). */
export const MAX_GENERATED_REQUESTS = 1_000_000;
/** Longest mean prompt or output a built-in workload takes, tokens. */
export const MAX_GENERATED_TOKENS = 1_000_000;
/** Most hash ids a built-in workload's requests may hold together (held in memory, ~4 bytes each: ~50 billion
 *  prompt tokens; a million seed-coding requests hold ~80 million). */
export const MAX_GENERATED_IDS = 100_000_000;

/** Counts the hash ids a generator makes; past MAX_GENERATED_IDS it stops with one line (instead of running out of
 *  memory), at once if the ids the parameters imply on average (`expectedIds`) are already past it. */
export function idBudget(workload: string, expectedIds = 0): (ids: number) => void {
  const refuse = () => inputError({ field: `${workload} params` }, `the requests would hold more than ${MAX_GENERATED_IDS} hash ids (${(MAX_GENERATED_IDS * 512) / 1e9} billion prompt tokens), more than servesim holds in memory: lower num_requests or the lengths`);
  if (expectedIds > MAX_GENERATED_IDS) throw refuse();
  let used = 0;
  return (ids) => {
    used += ids;
    if (used > MAX_GENERATED_IDS) throw refuse();
  };
}

/** Merge user params over defaults; unknown names and out-of-range values are InputErrors. */
export function resolveParams(workload: string, spec: ParamSpec, params: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, s] of Object.entries(spec)) out[k] = s.default;
  for (const [k, v] of Object.entries(params ?? {})) {
    const s = spec[k];
    if (s === undefined) throw inputError({ field: `${workload} param ${k}` }, `unknown${didYouMean(k, Object.keys(spec))}; known: ${Object.keys(spec).join(', ')}`);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw inputError({ field: `${workload} param ${k}` }, `must be a finite number, got ${JSON.stringify(v)}`);
    if (s.integer && !Number.isInteger(v)) throw inputError({ field: `${workload} param ${k}` }, `must be an integer, got ${v}`);
    if (s.min !== undefined && (s.minExclusive ? v <= s.min : v < s.min)) {
      throw inputError({ field: `${workload} param ${k}` }, `must be ${s.minExclusive ? '>' : '>='} ${s.min}, got ${v}`);
    }
    if (s.max !== undefined && v > s.max) throw inputError({ field: `${workload} param ${k}` }, `must be <= ${s.max}, got ${v} (the workload is generated in memory)`);
    out[k] = v;
  }
  return out;
}

/** Parse CLI `--param name=value` pairs into workload params. */
export function parseParamPairs(pairs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const v = Number(pair.slice(eq + 1));
    if (eq <= 0 || pair.slice(eq + 1).trim() === '' || !Number.isFinite(v)) throw inputError({ field: '--param' }, `expected name=number, got '${pair}'`);
    const name = pair.slice(0, eq).trim();
    if (Object.hasOwn(out, name)) throw inputError({ field: '--param' }, `${name} is given twice (${name}=${out[name]}, then ${pair}): give it once`);
    out[name] = v;
  }
  return out;
}
