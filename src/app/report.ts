// `servesim report`: the HTML page comparing run folders, with each run's reported figures and bands.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderReport, type ReportRun } from '../report/html.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { loadReported, loadTolerances, REPORTED_DIR } from './reported.ts';
import { readRunFolder } from './run-folder.ts';

export function loadReportRun(dir: string): ReportRun {
  const { name, summary, records } = readRunFolder(dir);
  const reported = existsSync(join(REPORTED_DIR, `${summary.scenario}.json`)) ? loadReported(summary.scenario).figures : undefined;
  return { name, summary, records, reported };
}

/** Render the runs in `dirs` to `out`; returns the number of runs. */
export function writeReport(dirs: readonly string[], out: string, title: string): number {
  const runs = dirs.map(loadReportRun);
  mkdirSync(dirname(out), { recursive: true });
  writeFileAtomic(out, renderReport(runs, title, loadTolerances()));
  return runs.length;
}
