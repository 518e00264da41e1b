// `servesim report <run dir...>`: an HTML page comparing runs written by `servesim run --out DIR`
// (figures vs reported, latency CDFs, TTFT over time, E2EL breakdown).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CommandModule } from 'yargs';
import { inputError } from '../errors.ts';
import type { RequestRecord } from '../metrics/records.ts';
import type { Summary } from '../metrics/summary.ts';
import { REPORTED_DIR, loadReported } from '../reported.ts';
import { renderReport, type ReportRun } from '../report/html.ts';

export function loadRun(dir: string): ReportRun {
  const summaryFile = join(dir, 'summary.json');
  const recordsFile = join(dir, 'requests.jsonl');
  if (!existsSync(summaryFile)) throw inputError({ file: summaryFile }, 'missing: run `servesim run <scenario> --out DIR` first');
  if (!existsSync(recordsFile)) throw inputError({ file: recordsFile }, 'missing: run without --no-records');
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
  const records = readFileSync(recordsFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as RequestRecord;
      } catch {
        throw inputError({ file: recordsFile, line: i + 1 }, 'not valid JSON');
      }
    });
  const reported = existsSync(join(REPORTED_DIR, `${summary.scenario}.json`)) ? loadReported(summary.scenario).figures : undefined;
  return { name: basename(dir), summary, records, reported };
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
    writeFileSync(a.out, renderReport(runs, a.title));
    process.stdout.write(`wrote ${a.out} (${runs.length} runs)\n`);
  },
};
