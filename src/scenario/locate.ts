// Where a scenario key is written, for error messages: the line of its key in the YAML file (the
// deepest part of the dotted path the file has), or the --set override that gave it.
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { InputError } from '../util/errors.ts';

/** The scenario keys an error can name (its top-level sections). */
const SCENARIO_KEYS = /^(name|description|model|platform|client|router|disaggregation|workers)(\.|:|,|$)/;

/** `file:line` of dotted key `field` in scenario `text` (`file` alone when the file does not have it). */
export function keyLocation(file: string, text: string, field: string): string {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  let node: unknown = doc.contents;
  let line: number | undefined;
  for (const seg of field.split(',')[0].trim().split('.')) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
    if (!pair || !isScalar(pair.key) || !pair.key.range) break;
    line = counter.linePos(pair.key.range[0]).line;
    node = pair.value;
  }
  return line === undefined ? file : `${file}:${line}`;
}

/** The --set among `sets` that wrote `field` or a key above it, if any. */
function setOf(sets: readonly string[], field: string): string | undefined {
  return sets.map((s) => s.slice(0, s.indexOf('='))).find((k) => field === k || field.startsWith(`${k}.`) || k.startsWith(`${field}.`));
}

/** Where scenario key `field` of `file` comes from: the override that wrote it (its flag when a command's
 *  flag made it, else --set), or file:line. */
export function scenarioKeyWhere(file: string, text: string, sets: readonly string[], field: string, flags: Readonly<Record<string, string>> = {}): string {
  const set = setOf(sets, field.split(',')[0].trim());
  return set !== undefined ? `${file} (${flags[set] ?? `--set ${set}`})` : keyLocation(file, text, field);
}

/** An InputError about a scenario key, named by where that key is written (other errors as they are). */
export function locatedError(e: unknown, file: string, text: string, sets: readonly string[], flags: Readonly<Record<string, string>> = {}): unknown {
  if (!(e instanceof InputError) || e.located || e.field === undefined || !SCENARIO_KEYS.test(e.field)) return e;
  const out = new InputError(`${scenarioKeyWhere(file, text, sets, e.field, flags)}: ${e.message}`);
  out.located = true;
  return out;
}
