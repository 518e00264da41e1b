// servesim CLI entry: registers one yargs command per file in src/cli/ and maps input errors to exit code 2.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InputError } from '../util/errors.ts';
import { commands } from './commands.ts';

export async function main(argv: string[]): Promise<void> {
  let cli = yargs(argv)
    .scriptName('servesim')
    .usage('$0 <command> [options]\n\nDiscrete-event simulator of disaggregated LLM serving (Dynamo + TensorRT-LLM on GB200).')
    .strict()
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .help()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new InputError(msg.replace(/\s*\n\s*/g, ' '));
    });
  for (const c of commands) cli = cli.command(c);
  await cli.parseAsync();
}

main(hideBin(process.argv)).catch((err: unknown) => {
  if (err instanceof InputError) {
    process.stderr.write(`servesim: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
});
