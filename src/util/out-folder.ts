// Output folders of the commands that write several files (run, sweep, merge): a folder holding files
// the command does not write is refused unless overwriting, and a rerun clears its own earlier files.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from './errors.ts';

/**
 * Refuse `dir` when it exists and is not a folder, or (unless `overwrite`) holds an entry not named in
 * `own` (the files and subfolders the command writes); `what` names such a folder in the message.
 */
export function checkOutFolder(dir: string, own: readonly string[], overwrite: boolean, what: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw inputError({ file: dir }, 'exists and is not a folder');
  if (overwrite) return;
  const foreign = readdirSync(dir).filter((f) => !own.includes(f));
  if (foreign.length > 0) throw inputError({ file: dir }, `holds files that are not ${what} (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); choose another --out or pass --overwrite`);
}

/** Remove the files `names` of `dir` (those absent are skipped). */
export function removeFiles(dir: string, names: readonly string[]): void {
  for (const name of names) rmSync(join(dir, name), { force: true });
}
