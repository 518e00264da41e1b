// Reading input files: a path must name a readable regular file (not a folder, FIFO or device, which
// would fail oddly or block forever) of sane size; every problem is one line naming the file.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { inputError } from './errors.ts';

/** Largest text file read whole (scenarios, deployments, summaries); traces are streamed instead. */
export const MAX_TEXT_BYTES = 256 * 2 ** 20;

/** Check that `file` is a readable regular file (one-line errors otherwise). */
export function checkReadableFile(file: string, what = 'file'): void {
  if (file === '') throw inputError({ file: "''" }, `an empty path is not a ${what}`);
  if (!existsSync(file)) throw inputError({ file }, `no such ${what}`);
  const st = statSync(file);
  if (st.isDirectory()) throw inputError({ file }, `is a folder, not a ${what}`);
  if (!st.isFile()) throw inputError({ file }, `not a regular file (a FIFO, socket or device cannot be a ${what})`);
}

/** Refuse to replace an existing output file unless --overwrite is given (a folder is left to the write, which names it). */
export function checkNewOutput(file: string, flag: string, overwrite: boolean): void {
  if (!overwrite && existsSync(file) && !statSync(file).isDirectory()) throw inputError({ file, field: flag }, 'exists: pass --overwrite to replace it');
}

/** The whole text of a regular file, UTF-8 with any byte-order mark dropped. */
export function readTextFile(file: string, what = 'file'): string {
  checkReadableFile(file, what);
  const size = statSync(file).size;
  if (size > MAX_TEXT_BYTES) throw inputError({ file }, `${(size / 2 ** 20).toFixed(0)} MB is too large for a ${what} (at most ${MAX_TEXT_BYTES / 2 ** 20} MB)`);
  const buf = readFileSync(file);
  if (buf.subarray(0, 4096).includes(0)) throw inputError({ file }, `holds binary data, not a text ${what}`);
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
