// `servesim merge <shard dirs..> --out DIR`: join the folders of `sweep --shard i/N` runs into the
// files one unsharded run writes (tables byte for byte), and print the answers.
import type { CommandModule } from 'yargs';

export const mergeCommand: CommandModule<object, { dirs: string[]; out: string; overwrite: boolean }> = {
  command: 'merge <dirs..>',
  describe: 'join sweep shard folders (sweep --shard i/N) into the tables and answers of one unsharded run',
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'shard results folders' })
      .option('out', { type: 'string', demandOption: true, describe: 'merged results folder (may be one of the shard folders)' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'write into a results folder that holds other files' }),
  handler: async (a) => {
    const { mergeShards } = await import('../app/sweep-run.ts');
    const r = mergeShards(a.dirs, a.out, a.overwrite);
    process.stdout.write(`merged ${a.dirs.length} folder(s) → ${a.out}\n\n${r.text}`);
  },
};
