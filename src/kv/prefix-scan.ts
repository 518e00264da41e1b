// Whether a trace keeps the prefix property (each id always follows the same id, so an id implies its
// whole prefix; every id below a limit), learned one request at a time in 2 bits per id (a
// million-request trace has ~2·10^8 ids: 50 MB, where a parent array of 4 bytes an id took 0.8-1.5 GB).
// Ids much sparser than the trace so far (e.g. content hashes) stop the scan: such a trace uses chained keys.
// Datagen allocates a prompt's new ids consecutively, so "the id before it is id − 1" is the common
// case; the other parents go to a small open-addressing table.

/** Code of an id: not seen yet, at the start of a prompt, after id − 1, after another id (in `others`). */
const UNSEEN = 0;
const START = 1;
const AFTER_PREVIOUS = 2;
const AFTER_OTHER = 3;

/** int32 → int32 map with open addressing (keys >= 0; -1 = empty slot). */
class IntMap {
  private keys = new Int32Array(1 << 12).fill(-1);
  private values = new Int32Array(1 << 12);
  private size = 0;

  get(key: number): number | undefined {
    const mask = this.keys.length - 1;
    for (let i = Math.imul(key, 0x9e3779b1) & mask; ; i = (i + 1) & mask) {
      const k = this.keys[i];
      if (k === key) return this.values[i];
      if (k === -1) return undefined;
    }
  }

  set(key: number, value: number): void {
    if (2 * (this.size + 1) > this.keys.length) this.rehash();
    const mask = this.keys.length - 1;
    let i = Math.imul(key, 0x9e3779b1) & mask;
    while (this.keys[i] !== -1 && this.keys[i] !== key) i = (i + 1) & mask;
    if (this.keys[i] === -1) this.size++;
    this.keys[i] = key;
    this.values[i] = value;
  }

  private rehash(): void {
    const { keys, values } = this;
    this.keys = new Int32Array(2 * keys.length).fill(-1);
    this.values = new Int32Array(2 * keys.length);
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== -1) this.set(keys[i], values[i]);
  }
}

export class CompactPrefixScan {
  /** Four 2-bit codes a byte. */
  private codes = new Uint8Array(1 << 14);
  private readonly others = new IntMap();
  /** The length a parent array of the ids seen would have (the density rule depends on it). */
  private length = 1 << 16;
  private ids = 0;
  holds = true;

  constructor(private readonly maxId: number) {
    if (!(maxId <= 2 ** 31)) throw new RangeError('CompactPrefixScan: maxId above 2^31');
  }

  add(hashIds: readonly number[]): void {
    if (!this.holds) return;
    this.ids += hashIds.length;
    let prev = -1;
    for (const id of hashIds) {
      if (id >= this.length && !this.grow(id)) return;
      const byte = id >>> 2;
      const shift = (id & 3) << 1;
      if (byte >= this.codes.length) this.growCodes(byte);
      const code = (this.codes[byte] >>> shift) & 3;
      if (code === UNSEEN) {
        const c = prev === -1 ? START : prev === id - 1 ? AFTER_PREVIOUS : AFTER_OTHER;
        if (c === AFTER_OTHER) this.others.set(id, prev);
        this.codes[byte] |= c << shift;
      } else {
        const parent = code === START ? -1 : code === AFTER_PREVIOUS ? id - 1 : this.others.get(id);
        if (parent !== prev) {
          this.holds = false;
          return;
        }
      }
      prev = id;
    }
  }

  /** The density rule, on the length alone: an id far beyond the ids seen so far stops the scan. */
  private grow(id: number): boolean {
    if (id >= this.maxId || id > 16 * this.ids + (1 << 24)) {
      this.holds = false;
      return false;
    }
    this.length = Math.min(this.maxId, Math.max(2 * this.length, id + 1));
    return true;
  }

  private growCodes(byte: number): void {
    const next = new Uint8Array(Math.min(Math.ceil(this.length / 4), Math.max(2 * this.codes.length, byte + 1)));
    next.set(this.codes);
    this.codes = next;
  }
}
