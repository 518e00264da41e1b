// servesim CLI entry: registers one yargs command per file in src/cli/ and maps input errors to exit code 2.
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InputError } from '../util/errors.ts';
import { didYouMean } from '../util/suggest.ts';
import { commands } from './commands.ts';

/** The flags (and aliases) a command's builder declares, recorded by running it on a stand-in. */
function flagsOf(c: CommandModule<any, any>): string[] {
  const names: string[] = ['help', 'version'];
  const stand: Record<string, unknown> = new Proxy(
    {},
    {
      get: (_t, prop) => (...args: unknown[]) => {
        if (prop === 'option' || prop === 'options') {
          const [name, o] = args as [string, { alias?: string | string[] } | undefined];
          names.push(name, ...([] as string[]).concat(o?.alias ?? []));
        }
        return stand;
      },
    },
  );
  if (typeof c.builder === 'function') (c.builder as (y: unknown) => unknown)(stand);
  return names;
}

/** "Unknown argument: seeed" → "… (did you mean 'seed'?)", from the command's own flags. */
function withSuggestion(msg: string, argv: readonly string[]): string {
  const m = /^Unknown arguments?: (.+)$/.exec(msg);
  const command = commands.find((c) => String(c.command).split(' ')[0] === argv[0]);
  if (!m || !command) return msg;
  // yargs lists a kebab-case flag twice (random-sed, randomSed)
  const bad = [...new Set(m[1].split(/,\s*/).map((b) => b.replace(/^-+/, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)))];
  if (bad.length !== 1) return msg;
  return `Unknown argument: ${bad[0]}${didYouMean(bad[0], flagsOf(command))}`;
}

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
      throw new InputError(withSuggestion(msg.replace(/\s*\n\s*/g, ' '), argv));
    });
  for (const c of commands) cli = cli.command(c);
  // yargs renders the command's full help text before every handler runs, in case a later failure
  // prints it; ours never does (.fail throws a one-line InputError), so skip that work
  const usage = (cli as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
  await cli.parseAsync();
}

main(hideBin(process.argv)).catch((err: unknown) => {
  if (err instanceof InputError) {
    process.stderr.write(`servesim: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
});
