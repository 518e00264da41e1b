// Atomic file writes: write beside the target under a temporary name, then rename over it, so a reader
// (or an interrupted run) never sees a half-written file. Content may come in chunks (large files) or as bytes.
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

export function writeFileAtomic(file: string, data: string | Uint8Array | Iterable<string>): void {
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
