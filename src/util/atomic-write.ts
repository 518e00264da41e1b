// Atomic file writes: write beside the target under a temporary name, then rename over it, so a reader
// (or an interrupted run) never sees a half-written file. Content may come in chunks (large files) or as bytes.
import { closeSync, existsSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { inputError } from './errors.ts';

/** Refuse an output path that is a folder (the rename over it would fail naming the temporary file); `flag` names where the path came from. */
export function checkNotFolder(file: string, flag?: string): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw inputError({ file, ...(flag !== undefined ? { field: flag } : {}) }, 'is a folder: name the file to write');
}

export function writeFileAtomic(file: string, data: string | Uint8Array | Iterable<string>): void {
  checkNotFolder(file);
  const tmp = `${file}.tmp-${process.pid}`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    if (data instanceof Uint8Array) writeSync(fd, data);
    else for (const chunk of typeof data === 'string' ? [data] : data) writeSync(fd, chunk);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
}
