// Lines of a text file read synchronously in chunks (bounded memory whatever the file size): a UTF-8
// byte-order mark is dropped, CRLF line ends accepted; each line comes with its 1-based number.
import { closeSync, openSync, readSync } from 'node:fs';
import { inputError } from '../util/errors.ts';
import { checkReadableFile } from '../util/files.ts';

export { checkReadableFile };

const CHUNK_BYTES = 4 << 20;

export class LineReader {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private carry: Buffer | null = null;
  private first = true;
  private lines: string[] = [];
  private next = 0;
  private eof = false;
  /** Number of the last line returned. */
  line = 0;
  /** Every chunk read also goes to `onBytes` (e.g. a hash). */
  constructor(
    readonly file: string,
    private readonly onBytes?: (chunk: Buffer) => void,
  ) {
    checkReadableFile(file);
    this.fd = openSync(file, 'r');
  }

  /** The next line without its line end, or undefined at the end of the file. */
  read(): string | undefined {
    while (this.next >= this.lines.length) {
      if (this.eof) return undefined;
      this.fill();
    }
    this.line++;
    return this.lines[this.next++];
  }

  close(): void {
    closeSync(this.fd);
  }

  private fill(): void {
    const n = readSync(this.fd, this.buf, 0, CHUNK_BYTES, null);
    this.lines = [];
    this.next = 0;
    if (n === 0) {
      this.eof = true;
      this.close();
      if (this.carry && this.carry.length > 0) this.lines.push(this.decode(this.carry));
      this.carry = null;
      return;
    }
    const chunk = this.buf.subarray(0, n);
    this.onBytes?.(chunk);
    let data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    if (this.first) {
      this.first = false;
      if (data[0] === 0x1f && data[1] === 0x8b) throw inputError({ file: this.file }, 'is gzip-compressed: decompress it first (gunzip)');
      if (data.subarray(0, 4096).includes(0)) throw inputError({ file: this.file }, 'holds binary data, not JSON lines');
      if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
    }
    let start = 0;
    for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, start)) {
      this.lines.push(this.decode(data.subarray(start, i)));
      start = i + 1;
    }
    this.carry = Buffer.from(data.subarray(start));
  }

  private decode(b: Buffer): string {
    const end = b.length > 0 && b[b.length - 1] === 13 ? b.length - 1 : b.length;
    return b.toString('utf8', 0, end);
  }
}
