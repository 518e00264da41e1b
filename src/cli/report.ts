// `servesim report <run dir...>`: an HTML page comparing runs written by `servesim run --out DIR`
// (figures vs reported, latency CDFs, TTFT over time, E2EL breakdown).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CommandModule } from 'yargs';
import { REPORTED_DIR, loadReported, loadTolerances } from '../app/reported.ts';
import { readRunFolder } from '../app/run-folder.ts';
import { renderReport, type ReportRun } from '../report/html.ts';

export function loadRun(dir: string): ReportRun {
  const { name, summary, records } = readRunFolder(dir);
  const reported = existsSync(join(REPORTED_DIR, `${summary.scenario}.json`)) ? loadReported(summary.scenario).figures : undefined;
  return { name, summary, records, reported };
}

export const reportCommand: CommandModule<object, { dirs: string[]; out: string; title: string }> = {
  command: 'report <dirs..>',
  describe: 'HTML report comparing runs (folders written by `servesim run --out`)',
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'run folders with summary.json and requests.jsonl' })
      .option('out', { type: 'string', default: 'results/report.html', describe: 'HTML file to write' })
      .option('title', { type: 'string', default: 'servesim report' }),
  handler: (a) => {
    const runs = a.dirs.map(loadRun);
    mkdirSync(dirname(a.out), { recursive: true });
    writeFileSync(a.out, renderReport(runs, a.title, loadTolerances()));
    process.stdout.write(`wrote ${a.out} (${runs.length} runs)\n`);
  },
};
