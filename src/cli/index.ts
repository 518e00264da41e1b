// servesim CLI entry: registers one yargs command per file in src/cli/ and turns every failure into one
// line on stderr: input errors (and unreadable files) exit 2, anything else is a bug and exits 1;
// --debug adds the stack trace.
import type { CommandModule } from 'yargs';
import { InputError } from '../util/errors.ts';
import { didYouMean } from '../util/suggest.ts';
import { commands } from './commands.ts';
import { checkFlags } from './flag-rules.ts';
import { DEBUG_OPTION, topHelp, USAGE, version } from './top-help.ts';

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

const debug = process.argv.includes('--debug');
/** The real process.exit (a plug-in router's code runs with it trapped). */
const exit: (code: number) => never = process.exit.bind(process);

const width = () => Math.min(110, process.stdout.columns || 100);

export async function main(argv: string[]): Promise<void> {
  // the top-level help and the version need no parser: answer them before loading yargs (whose layout
  // the help reproduces from 80 columns up; narrower terminals get yargs' own)
  if (argv.length === 1 && argv[0] === '--help' && width() >= 80) return void process.stdout.write(topHelp(commands, width()));
  if (argv.length === 1 && argv[0] === '--version') return void process.stdout.write(`${version()}\n`);
  const { default: yargs } = await import('yargs');
  let cli = yargs(argv)
    .scriptName('servesim')
    .usage(USAGE)
    .option('debug', DEBUG_OPTION)
    // English everywhere: the bundle carries no yargs locale files, and the suggestions read yargs' English
    .locale('en')
    .strict()
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .help()
    .wrap(width())
    .fail((msg, err) => {
      if (err) throw err;
      throw new InputError(withSuggestion(msg.replace(/\s*\n\s*/g, ' '), argv));
    });
  for (const c of commands) cli = cli.command(c);
  // one rule for every command, before yargs' own checks: a single-value flag given once, a number flag a number
  const parser = cli;
  cli = cli.middleware((a) => checkFlags(a, parser, argv), true);
  // yargs renders the command's full help text before every handler runs, in case a later failure
  // prints it; ours never does (.fail throws a one-line InputError), so skip that work
  const usage = (cli as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
  await cli.parseAsync();
}

/** A file the system could not read or write (ENOENT, EISDIR, EACCES, ...): the user's to fix. */
function systemError(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const e = err as NodeJS.ErrnoException;
  if (typeof e.code !== 'string' || typeof e.syscall !== 'string') return null;
  const what = { ENOENT: 'no such file or folder', EISDIR: 'is a folder', ENOTDIR: 'a part of the path is not a folder', EACCES: 'permission denied', EPERM: 'not permitted', EEXIST: 'already exists', ENOSPC: 'no space left on the device', EROFS: 'read-only file system' }[e.code];
  const path = e.path === undefined ? '' : `${e.path === '' ? "''" : e.path}: `;
  return `${path}cannot ${e.syscall} (${what ?? e.code})`;
}

/** Print `err` as one line (plus its stack with --debug) and exit: 2 for input errors, 1 for bugs. */
export function fail(err: unknown): never {
  const sys = systemError(err);
  const input = err instanceof InputError || sys !== null;
  const message = err instanceof InputError ? err.message : (sys ?? `internal error: ${err instanceof Error ? err.message : String(err)}`);
  process.stderr.write(`servesim: ${message.split('\n')[0]}${input || debug ? '' : ' (a bug: rerun with --debug for the stack trace)'}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  exit(err instanceof InputError ? err.exitCode : input ? 2 : 1);
}

process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
// exit once the command is done and its output flushed, even if a plug-in left timers or handles behind
main(process.argv.slice(2)).then(() => {
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.stdout.write('', () => process.stderr.write('', () => exit(code)));
}, fail);
