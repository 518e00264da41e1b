// V8 code-cache files of the bundled CLI (see servesim.js): the cache V8 produced, behind a header with
// a checksum of it. V8 checks a cache only against its own version, its flags and the source's length,
// and a cache corrupted inside (a bad disk, a killed copy) crashes the process in V8's deserializer, so
// the checksum is checked first and a file that fails it is removed. Writes are atomic and exclusive.
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const MAGIC = Buffer.from('servesim-v8cache1');
const SUM = 20; // sha1

const sha1 = (data) => createHash('sha1').update(data).digest();

/** The file name of the cache of `command` for this bundle text, Node and V8 flags. */
export function cacheFileOf(bundle, source, command) {
  const key = sha1([source, process.version, process.execArgv.join(' '), process.env.NODE_OPTIONS ?? ''].join('\0')).toString('hex').slice(0, 16);
  return `${bundle}.${command}.${key}.v8cache`;
}

/** The cache in `file`, or undefined (none, or not intact: then the file is removed). */
export function readCache(file) {
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const head = MAGIC.length + SUM;
  const data = bytes.subarray(head);
  if (bytes.length > head && bytes.subarray(0, MAGIC.length).equals(MAGIC) && bytes.subarray(MAGIC.length, head).equals(sha1(data))) return data;
  rmSync(file, { force: true });
  return undefined;
}

/** Whether a cache can be written beside `file` (a read-only install: no). */
export function canWrite(file) {
  try {
    accessSync(dirname(file), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Write `data` as the cache in `file`, atomically; failures are ignored (the next run tries again). */
export function writeCache(file, data) {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(tmp, Buffer.concat([MAGIC, sha1(data), data]), { flag: 'wx' });
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true });
  }
}
