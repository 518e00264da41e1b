// `servesim cost <scenario>`: the iteration time of each worker role for a batch shape, split into
// attention, MoE, communication, dense/other and host time with the table lookups behind them.
import type { CommandModule } from 'yargs';

interface CostArgs {
  scenario: string;
  // strings, parsed by the app: a flag given without a value is refused, not taken as a default
  'requests-per-rank'?: string;
  'context-tokens'?: string;
  'chunk-tokens'?: string;
  role?: ('agg' | 'prefill' | 'decode')[];
  set: string[];
  ops: boolean;
  json: boolean;
}

export const costCommand: CommandModule<object, CostArgs> = {
  command: 'cost <scenario>',
  describe: 'iteration time of each worker role for a batch shape: attention, MoE, communication, dense/other, host',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file' })
      .option('requests-per-rank', { type: 'string', describe: 'sequences on every rank (default 1)' })
      .option('context-tokens', { type: 'string', alias: 'isl', describe: 'tokens of KV per sequence before the iteration (default 8192, or half the shortest max_seq_len)' })
      .option('chunk-tokens', { type: 'string', describe: 'new prompt tokens per prefill chunk (default: the rank max_num_tokens budget)' })
      .option('role', { type: 'string', array: true, choices: ['agg', 'prefill', 'decode'] as const, describe: 'only these worker roles (repeatable); the batch shape is checked against their engines only' })
      .option('set', { type: 'string', array: true, default: [], describe: 'scenario override dotted.key=value' })
      .option('ops', { type: 'boolean', default: false, describe: 'list every table lookup' })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
      .example('$0 cost scenarios/disagg-kv.yaml', "each role's prefill and decode iteration at the default shape")
      .example('$0 cost scenarios/disagg-kv.yaml --requests-per-rank 64 --context-tokens 40000 --ops', 'a decode step of 64 requests per rank at 40K tokens of KV, with every table lookup')
      .example('$0 cost scenarios/r1-2p-dep4-1d-dep32.yaml --role decode --requests-per-rank 8', 'the decode step of a full DEP32 batch (its prefill engine takes 2 prompts a rank)')
      .example('$0 cost scenarios/disagg-kv.yaml --set workers.decode.engine.moe_expert_parallel_size=16 --set workers.decode.engine.tensor_parallel_size=16', 'the same at DEP16'),
  handler: async (a) => {
    const { costReportOfFile, formatCostReport, flagNumber } = await import('../app/cost-report.ts');
    const shape = { requestsPerRank: flagNumber('--requests-per-rank', a['requests-per-rank']), contextTokens: flagNumber('--context-tokens', a['context-tokens']), chunkTokens: flagNumber('--chunk-tokens', a['chunk-tokens']) };
    const report = costReportOfFile(a.scenario, a.set, shape, a.role);
    process.stdout.write(a.json ? JSON.stringify(report, null, 2) + '\n' : formatCostReport(report, a.ops));
  },
};
