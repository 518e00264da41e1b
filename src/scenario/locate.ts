// Where a key is written, for error messages: the line of its key in a YAML file (the deepest part of
// the path the file has: scenario, plan or DGD), or the --set override that gave a scenario key.
import { isMap, isNode, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { InputError } from '../util/errors.ts';

/** The scenario keys an error can name (its top-level sections). */
const SCENARIO_KEYS = /^(name|description|model|platform|client|router|disaggregation|workers)(\.|:|,|$)/;

/** `file:line` of key `field` in YAML `text` (`file` alone when the file does not have it): a dotted path
 *  with list indices (`axes[0].values`), read up to its first space or comma (`a.b --flag`, `a, b`);
 *  `doc`: which document of a multi-document file. */
export function keyLocation(file: string, text: string, field: string, doc = 0): string {
  const counter = new LineCounter();
  let node: unknown = parseAllDocuments(text, { lineCounter: counter }).at(doc)?.contents;
  let line: number | undefined;
  const path = [...field.trim().split(/[ ,]/)[0].matchAll(/([^.[\]]+)|\[(\d+)\]/g)];
  for (let i = 0; i < path.length; i++) {
    let at: number | undefined;
    if (path[i][1] !== undefined) {
      if (!isMap(node)) break;
      // a key may itself hold dots (a plan's zip of scenario keys): the longest run of segments the map has
      let pair;
      for (let j = path.length; j > i && !pair; j--) {
        if (path.slice(i, j).some((m) => m[1] === undefined)) continue;
        const key = path.slice(i, j).map((m) => m[1]).join('.');
        pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
        if (pair) i = j - 1;
      }
      if (!pair || !isScalar(pair.key) || !pair.key.range) break;
      at = pair.key.range[0];
      node = pair.value;
    } else {
      const item = isSeq(node) ? node.items[Number(path[i][2])] : undefined;
      if (!isNode(item) || !item.range) break;
      at = item.range[0];
      node = item;
    }
    line = counter.linePos(at).line;
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
