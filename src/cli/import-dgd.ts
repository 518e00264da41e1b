// `servesim import-dgd <deploy.yaml>`: the yargs command; loads src/app/import-dgd.ts when run, writes the listing to stderr.
import type { CommandModule } from 'yargs';
import { commandLine, overwriteOption } from './common.ts';

interface ImportDgdArgs {
  deployment: string;
  out?: string;
  aiperf?: string;
  'aiperf-env': string[];
  platform?: string;
  model?: string;
  name?: string;
  overwrite: boolean;
}

export const importDgdCommand: CommandModule<object, ImportDgdArgs> = {
  command: 'import-dgd <deployment>',
  describe: 'turn a DynamoGraphDeployment (with its engine ConfigMaps) and its AIPerf job into a scenario file',
  builder: (y) =>
    overwriteOption(y, '--out')
      .positional('deployment', { type: 'string', demandOption: true, describe: 'DGD YAML (the engine ConfigMaps may follow it, --- separated)' })
      .option('out', { type: 'string', describe: 'scenario file to write (default: print it)' })
      .option('aiperf', { type: 'string', describe: 'the AIPerf benchmark job (perf.yaml) for the client keys (default: AIPerf defaults)' })
      .option('aiperf-env', { type: 'string', array: true, default: [] as string[], describe: 'NAME=VALUE for a variable the AIPerf job uses but does not set (repeatable)' })
      .option('platform', { type: 'string', describe: "platform.name, one of the cost model's platforms (default generic; the seed's K8s cluster is aws-gb200-k8s)" })
      .option('model', { type: 'string', describe: 'cost model (default gb200-dsv32-nvfp4-trtllm)' })
      .option('name', { type: 'string', describe: 'scenario name (default metadata.name)' })
      .example('$0 import-dgd ../shared/reference/dgd/disagg.yaml --platform aws-gb200-k8s --aiperf ../shared/reference/dgd/perf.yaml --out disagg.yaml', "the seed's disaggregated deployment"),
  handler: async (a) => {
    const { importDgdCommand: run } = await import('../app/import-dgd.ts');
    const { stdout, stderr } = run({ file: a.deployment, out: a.out, aiperf: a.aiperf, aiperfEnv: a['aiperf-env'], platform: a.platform, model: a.model, name: a.name, overwrite: a.overwrite, command: commandLine() });
    process.stderr.write(stderr);
    process.stdout.write(stdout);
  },
};
