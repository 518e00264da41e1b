// `servesim cost <scenario>`: the iteration time of each worker role for a batch shape, split into
// attention, MoE, communication, dense/other and host time with the table lookups behind them.
import type { CommandModule } from 'yargs';
import { costReport, type CostReport } from '../app/cost-report.ts';
import { loadScenario } from '../scenario/load.ts';
import { textTable } from '../util/text-table.ts';

interface CostArgs {
  scenario: string;
  'requests-per-rank'?: number;
  'context-tokens'?: number;
  'chunk-tokens'?: number;
  set: string[];
  ops: boolean;
  json: boolean;
}

const ms = (v: number) => v.toFixed(3);

export function formatCostReport(r: CostReport, ops: boolean): string {
  const out: string[] = [`${r.scenario} (cost model ${r.model})`];
  for (const role of r.roles) {
    out.push('', `${role.role}: ${role.workers} x ${role.parallelism} (${role.gpus} GPUs, ${role.ranks} attention rank${role.ranks > 1 ? 's' : ''}), MoE ${role.moeBackend}, ${role.communication}`);
    out.push(`  weights ${(role.weightsBytesPerGpu / 1e9).toFixed(1)} GB per GPU; KV ${role.kvCapacityTokensPerRank.toLocaleString('en-US')} tokens per rank (${role.kvBytesPerToken} bytes per token)`);
    for (const it of role.iterations) {
      out.push('', `  ${it.kind} iteration: ${it.description}`);
      const rows: Array<[string, number]> = [
        ['attention', it.attentionMs],
        ['MoE', it.moeMs],
        ['communication', it.commMs],
        ['dense/other', it.denseMs],
        ['host', it.hostMs],
      ];
      const body = rows.map(([k, v]) => [k, ms(v), `${((100 * v) / it.totalMs).toFixed(1)} %`]);
      body.push(['total', ms(it.totalMs), '']);
      out.push(textTable(['component', 'ms', 'share'], body).replace(/^/gm, '    '));
      if (ops) {
        const opRows = it.parts.map((p) => [p.component, p.op, p.table, p.key, p.perCallMs.toFixed(4), String(p.calls), ms(p.tableMs)]);
        out.push('', textTable(['component', 'op', 'table', 'key', 'ms per call', 'calls', 'table ms'], opRows, 4).replace(/^/gm, '    '));
      }
    }
    for (const n of role.notes) out.push(`  note: ${n}`);
  }
  out.push('', 'Components are table time x the calibrated scales (eager or CUDA-graph iteration) x the platform slowdown; --ops lists the lookups.');
  return out.join('\n') + '\n';
}

export const costCommand: CommandModule<object, CostArgs> = {
  command: 'cost <scenario>',
  describe: 'iteration time of each worker role for a batch shape: attention, MoE, communication, dense/other, host',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file' })
      .option('requests-per-rank', { type: 'number', describe: 'sequences on every rank (default 1)' })
      .option('context-tokens', { type: 'number', alias: 'isl', describe: 'tokens of KV per sequence before the iteration (default 8192)' })
      .option('chunk-tokens', { type: 'number', describe: 'new prompt tokens per prefill chunk (default: the rank max_num_tokens budget)' })
      .option('set', { type: 'string', array: true, default: [], describe: 'scenario override dotted.key=value' })
      .option('ops', { type: 'boolean', default: false, describe: 'list every table lookup' })
      .option('json', { type: 'boolean', default: false }),
  handler: (a) => {
    const scenario = loadScenario(a.scenario, a.set);
    const report = costReport(scenario, { requestsPerRank: a['requests-per-rank'], contextTokens: a['context-tokens'], chunkTokens: a['chunk-tokens'] });
    process.stdout.write(a.json ? JSON.stringify(report, null, 2) + '\n' : formatCostReport(report, a.ops));
  },
};
