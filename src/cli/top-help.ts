// `servesim --help` and `servesim --version` without loading yargs (its import and help layout cost
// more than the rest of the start): the command list laid out as yargs lays it out.
import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';

export const USAGE = '$0 <command> [options]\n\nDiscrete-event simulator of disaggregated LLM serving (Dynamo + TensorRT-LLM on GB200).';
export const DEBUG_OPTION = { type: 'boolean', default: false, global: true, describe: 'on an error, print its stack trace too' } as const;

/** `text` wrapped into lines of at most `width` characters (a longer word stays whole). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Two columns: names padded to the widest, descriptions wrapped beside them; `tag` right-aligned after. */
function table(rows: Array<[string, string, string?]>, width: number): string[] {
  const left = 2 + Math.max(...rows.map(([n]) => n.length)) + 2;
  const out: string[] = [];
  for (const [name, describe, tag] of rows) {
    const lines = wrap(describe, width - left - (tag ? tag.length + 1 : 0));
    lines.forEach((l, i) => {
      let s = (i === 0 ? `  ${name}` : '').padEnd(left) + l;
      if (tag && i === lines.length - 1) s = s.padEnd(width - tag.length) + tag;
      out.push(s);
    });
  }
  return out;
}

/** The top-level help yargs would print for these commands at `width` columns. */
export function topHelp(commands: readonly CommandModule<any, any>[], width: number): string {
  const rows = commands.map((c): [string, string] => [`servesim ${String(c.command)}`, String(c.describe ?? '')]);
  const options: Array<[string, string, string]> = [
    ['--version', 'Show version number', '[boolean]'],
    ['--debug', DEBUG_OPTION.describe, '[boolean] [default: false]'],
    ['--help', 'Show help', '[boolean]'],
  ];
  const usage = USAGE.replace('$0', 'servesim').split('\n').flatMap((l) => (l === '' ? [''] : wrap(l, width)));
  return [...usage, '', 'Commands:', ...table(rows, width), '', 'Options:', ...table(options, width), ''].join('\n');
}

/** The package's version (package.json next to dist/ or src/). */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
