// `npx tsx scripts/build-cost-models.ts [--check] [--tables DIR]`: regenerate models/gb200-*-trtllm.json
// from AIConfigurator's GB200 tables (default ../shared/reference/aic-gb200 beside the repo);
// --check compares instead of writing and exits 1 if a committed file differs.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringifyModel } from './aic-tables.ts';
import { buildCostModels } from './cost-model-builder.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** ../shared/reference/aic-gb200 beside the repo (or beside the folder of a git worktree). */
export const DEFAULT_TABLES_DIR = ['..', '../..'].map((up) => resolve(REPO, up, 'shared/reference/aic-gb200')).find(existsSync) ?? resolve(REPO, '../shared/reference/aic-gb200');

/** The generated files as text, by path. */
export function generatedModelFiles(tablesDir = DEFAULT_TABLES_DIR): Record<string, string> {
  const models = buildCostModels(tablesDir);
  return Object.fromEntries(Object.entries(models).map(([file, json]) => [join(REPO, 'models', file), stringifyModel(json) + '\n']));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const t = args.indexOf('--tables');
  const dir = t >= 0 ? resolve(args[t + 1]) : DEFAULT_TABLES_DIR;
  if (!existsSync(dir)) {
    process.stderr.write(`no AIC tables at ${dir}\n`);
    process.exit(2);
  }
  let differ = 0;
  for (const [file, text] of Object.entries(generatedModelFiles(dir))) {
    const same = existsSync(file) && readFileSync(file, 'utf8') === text;
    if (check) {
      if (!same) differ++;
      process.stdout.write(`${same ? 'same' : 'DIFFERS'} ${file}\n`);
    } else {
      writeFileSync(file, text);
      process.stdout.write(`wrote ${file} (${text.length} bytes)\n`);
    }
  }
  process.exitCode = differ > 0 ? 1 : 0;
}
