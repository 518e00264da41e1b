// `servesim report <run dir...>`: an HTML page comparing runs written by `servesim run --out DIR`
// (figures vs reported, latency CDFs and distributions, TTFT over time, E2EL breakdown, routing).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CommandModule } from 'yargs';
import { renderReport } from '../report/html.ts';
import { loadReportedData, loadRun } from './report-load.ts';

export const reportCommand: CommandModule<object, { dirs: string[]; out: string; title: string }> = {
  command: 'report <dirs..>',
  describe: 'HTML report comparing runs (folders written by `servesim run --out`)',
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'run folders with summary.json and requests.jsonl' })
      .option('out', { type: 'string', default: 'results/report.html', describe: 'HTML file to write' })
      .option('title', { type: 'string', default: 'servesim report' }),
  handler: (a) => {
    const reported = loadReportedData();
    const runs = a.dirs.map((d) => loadRun(d, reported));
    mkdirSync(dirname(a.out), { recursive: true });
    writeFileSync(a.out, renderReport(runs, a.title));
    process.stdout.write(`wrote ${a.out} (${runs.length} runs)\n`);
  },
};
