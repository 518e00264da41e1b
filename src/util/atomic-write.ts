// Atomic file writes: write beside the target under a temporary name, then rename over it, so a reader
// (or an interrupted run) never sees a half-written file.
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
