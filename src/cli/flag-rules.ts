// Rules every command's flags keep, checked once after yargs parses (before its own validation): a
// flag not declared repeatable is given once (yargs would hand the command a list), and a number flag
// holds a number (yargs would hand on NaN, 0 for an empty value, or nothing for a missing one). Both
// fail as one-line input errors naming the flag.
import { inputError } from '../util/errors.ts';

/** What the yargs instance tells a middleware of the running command's options. */
interface Options {
  key: Record<string, unknown>;
  array: string[];
  number: string[];
  alias: Record<string, string[]>;
}

/** The values of flag `names` as typed in `raw` (`--name v`, `--name=v`, `-n v`), in order. */
function typed(raw: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length && raw[i] !== '--'; i++) {
    for (const n of names) {
      const flag = n.length === 1 ? `-${n}` : `--${n}`;
      if (raw[i].startsWith(`${flag}=`)) out.push(raw[i].slice(flag.length + 1));
      else if (raw[i] === flag) out.push(i + 1 < raw.length && !/^-(?![\d.])./.test(raw[i + 1]) ? raw[i + 1] : '');
    }
  }
  return out;
}

const shown = (v: unknown) => (v === '' ? "''" : String(v));

/** Refuse a single-value flag given twice and a number flag that is not a number (`parser`: the yargs
 *  instance, whose options are the running command's; `raw`: the argv typed). */
export function checkFlags(argv: Record<string, unknown>, parser: unknown, raw: readonly string[]): void {
  const o = (parser as { getOptions: () => Options }).getOptions();
  const aliases = new Set(Object.values(o.alias).flat());
  for (const key of Object.keys(o.key)) {
    if (aliases.has(key)) continue;
    const names = [key, ...(o.alias[key] ?? [])];
    const v = argv[key];
    const isNumber = o.number.includes(key);
    if (Array.isArray(v) && !o.array.includes(key)) {
      const given = typed(raw, names);
      const values = isNumber && given.length === v.length ? given : v;
      throw inputError({ field: `--${key}` }, `given ${v.length} times (${values.map(shown).join(', ')}): give it once`);
    }
    if (isNumber && !o.array.includes(key)) {
      const given = typed(raw, names);
      if (given.length === 1 && given[0].trim() === '') throw inputError({ field: `--${key}` }, 'needs a number');
      if (typeof v === 'number' && Number.isNaN(v)) throw inputError({ field: `--${key}` }, `expected a number, got '${given[0] ?? v}'`);
    }
  }
}
