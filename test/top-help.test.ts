// `servesim --help` is answered without loading yargs: its text equals the help yargs renders for the
// same commands and options at every terminal width it is used for (80 to 110 columns).
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { commands } from '../src/cli/commands.ts';
import { DEBUG_OPTION, topHelp, USAGE } from '../src/cli/top-help.ts';

describe('top-level help', () => {
  for (const width of [80, 90, 100, 110]) {
    it(`equals yargs' at ${width} columns`, async () => {
      let cli = yargs([]).scriptName('servesim').usage(USAGE).option('debug', DEBUG_OPTION).help().wrap(width);
      for (const c of commands) cli = cli.command(c);
      expect(topHelp(commands, width)).toBe(`${await cli.getHelp()}\n`);
    });
  }
});
