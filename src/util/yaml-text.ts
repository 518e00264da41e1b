// Parsing the YAML text of an input file (scenario, plan): a syntax error is one line naming the file,
// line and column, `file:line:col: invalid YAML (…)`.
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { inputError } from './errors.ts';

export function parseYamlText(text: string, file: string): unknown {
  try {
    return parseYaml(text);
  } catch (e) {
    const pos = e instanceof YAMLParseError ? e.linePos?.[0] : undefined;
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    throw inputError({ file: where }, `invalid YAML (${(e as Error).message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')})`);
  }
}
