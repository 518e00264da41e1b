// `servesim report <run dir...>`: an HTML page comparing runs written by `servesim run --out DIR`
// (figures vs reported, latency CDFs and distributions, TTFT over time, E2EL breakdown, routing).
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { InputError } from '../util/errors.ts';

export const reportCommand: CommandModule<object, { dirs: string[]; out: string; title: string; sweep?: string }> = {
  command: 'report [dirs..]',
  describe: 'HTML report comparing runs (folders written by `servesim run --out`)',
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, default: [], describe: 'run folders with summary.json and requests.jsonl' })
      .option('sweep', { type: 'string', describe: 'a sweep results folder instead: Pareto charts, SLA ranking, max load' })
      .option('out', { type: 'string', default: 'results/report.html', describe: 'HTML file to write' })
      .option('title', { type: 'string', default: 'servesim report', describe: 'page title' })
      .example('$0 report results/runs/agg-rr-k8s results/runs/disagg-kv --out results/report.html', 'the seed deployments side by side'),
  handler: async (a) => {
    if (a.sweep !== undefined && a.dirs.length > 0) throw new InputError(`--sweep: a sweep report reads one sweep folder; the run folders (${a.dirs.join(', ')}) make a report of their own`);
    const twice = a.dirs.find((d, i) => a.dirs.findIndex((x) => resolve(x) === resolve(d)) !== i);
    if (twice !== undefined) throw new InputError(`${twice}: named twice: each run folder is one column of the report`);
    if (a.sweep !== undefined) {
      const { writeSweepReport } = await import('../app/report.ts');
      writeSweepReport(a.sweep, a.out, a.title === 'servesim report' ? `servesim sweep ${a.sweep}` : a.title);
      process.stdout.write(`wrote ${a.out}\n`);
      return;
    }
    const { writeReport } = await import('../app/report.ts');
    if (a.dirs.length === 0) throw new InputError('name run folders, or --sweep DIR');
    const n = writeReport(a.dirs, a.out, a.title);
    process.stdout.write(`wrote ${a.out} (${n} runs)\n`);
  },
};
