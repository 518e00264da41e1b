// `calibrate --fit-seeds`: the workload samples of the robust objective, checked up front (one line,
// exit 2): a count from --seed upwards or a list that includes --seed, on a built-in workload only.
import { inputError } from '../util/errors.ts';
import { seedList } from './plan.ts';

/** The fit seeds, `--seed` first; undefined when the flag is absent (the fit uses --seed alone). */
export function fitSeedsOf(a: { 'fit-seeds'?: string; seed: string; trace?: string }): string[] | undefined {
  const v = a['fit-seeds'];
  if (v === undefined) return undefined;
  const field = '--fit-seeds';
  const s = v.trim();
  if (a.trace !== undefined) throw inputError({ field }, 'samples the built-in workload at each seed; a trace file is one fixed sample (drop --trace)');
  if (/^\d+$/.test(s) && !Number.isInteger(Number(a.seed))) throw inputError({ field }, `a count counts up from --seed, which is not a whole number (${a.seed}): give a list`);
  const seeds = seedList(s, Number(a.seed), field);
  if (!seeds.includes(a.seed)) throw inputError({ field }, `${seeds.join(',')} does not include --seed ${a.seed}, the sample the report's tables show`);
  if (seeds.length > 64) throw inputError({ field }, `${seeds.length} seeds: at most 64 (each is 3 simulated runs in every objective evaluation)`);
  return [a.seed, ...seeds.filter((x) => x !== a.seed)];
}
