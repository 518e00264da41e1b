// An integer-keyed hash table (key -> non-negative int) on one typed array: open addressing with linear
// probing and backward-shift deletion, for the block caches' hot lookups (a JS Map is several times slower
// at the hundreds of thousands of keys a rank's cache holds). Keys are integers in [0, 2^53). A slot's key
// and value sit side by side, and runs of consecutive keys fill consecutive slots (fewer cache lines per
// prompt); an empty slot holds key -1. While every key and value fits 31 bits (trace ids, slots) a slot is
// two int32 (8 bytes), else two float64: the table widens itself at the first key or value that does not fit.

const EMPTY = -1;
const TWO32 = 4294967296;
/** Largest key and value a narrow (int32) table holds. */
const NARROW_MAX = 0x7fffffff;

/** Consecutive keys share a group of slots (one cache line): a prompt's new blocks often have consecutive ids. */
const GROUP_BITS = 3;
const GROUP = (1 << GROUP_BITS) - 1;

function hashOf(key: number, mask: number): number {
  const g = key < TWO32 ? key >>> GROUP_BITS : ((key >>> 0) >>> GROUP_BITS) ^ Math.imul(Math.floor(key / TWO32) | 0, 0x9e3779b1);
  let h = Math.imul(g ^ (g >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (((h ^ (h >>> 16)) << GROUP_BITS) | (key & GROUP)) & mask;
}

function fits(x: number): boolean {
  return x <= NARROW_MAX && (x | 0) === x;
}

type Cells = Int32Array | Float64Array;

export class KeyTable {
  /** cells[2i] = key of slot i (EMPTY when free), cells[2i + 1] = its value: narrow or wide, one of them. */
  private narrow: Int32Array | null;
  private wide: Float64Array | null = null;
  /** Slots - 1 (slots are a power of two). */
  private mask: number;
  /** Keys in the table. */
  size = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.narrow = new Int32Array(2 * cap).fill(EMPTY);
    this.mask = cap - 1;
  }

  /** The value of `key`, or -1. */
  get(key: number): number {
    const mask = this.mask;
    let i = hashOf(key, mask);
    const n = this.narrow;
    if (n !== null) {
      if (!fits(key)) return EMPTY;
      for (;;) {
        const k = n[2 * i];
        if (k === key) return n[2 * i + 1];
        if (k === EMPTY) return EMPTY;
        i = (i + 1) & mask;
      }
    }
    const w = this.wide!;
    for (;;) {
      const k = w[2 * i];
      if (k === key) return w[2 * i + 1];
      if (k === EMPTY) return EMPTY;
      i = (i + 1) & mask;
    }
  }

  has(key: number): boolean {
    return this.get(key) !== EMPTY;
  }

  /** Sets `key` to `value` (a non-negative integer). */
  set(key: number, value: number): void {
    const cells = this.room(key, value);
    const i = this.slotOf(cells, key);
    if (cells[2 * i] === EMPTY) {
      cells[2 * i] = key;
      this.size++;
    }
    cells[2 * i + 1] = value;
  }

  /** The value of `key` if present (the table unchanged), else sets it to `value` and returns -1. */
  setIfAbsent(key: number, value: number): number {
    const cells = this.room(key, value);
    const i = this.slotOf(cells, key);
    if (cells[2 * i] === key) return cells[2 * i + 1];
    cells[2 * i] = key;
    cells[2 * i + 1] = value;
    this.size++;
    return EMPTY;
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  private slotOf(cells: Cells, key: number): number {
    const mask = this.mask;
    let i = hashOf(key, mask);
    for (;;) {
      const k = cells[2 * i];
      if (k === key || k === EMPTY) return i;
      i = (i + 1) & mask;
    }
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: number): boolean {
    if (this.narrow !== null) return fits(key) && this.deleteIn(this.narrow, key);
    return this.deleteIn(this.wide!, key);
  }

  /** Calls `fn` for every (key, value), in slot order. */
  forEach(fn: (key: number, value: number) => void): void {
    const cells: Cells = this.narrow ?? this.wide!;
    for (let i = 0; i < cells.length; i += 2) if (cells[i] !== EMPTY) fn(cells[i], cells[i + 1]);
  }

  private deleteIn(cells: Cells, key: number): boolean {
    const mask = this.mask;
    const i = this.slotOf(cells, key);
    if (cells[2 * i] === EMPTY) return false;
    // Backward-shift: move later members of the probe run into the hole so no tombstones are needed.
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const kj = cells[2 * j];
      if (kj === EMPTY) break;
      const home = hashOf(kj, mask);
      // kj may fill the hole unless its home lies cyclically in (hole, j]
      if (hole <= j ? home <= hole || home > j : home <= hole && home > j) {
        cells[2 * hole] = kj;
        cells[2 * hole + 1] = cells[2 * j + 1];
        hole = j;
      }
    }
    cells[2 * hole] = EMPTY;
    this.size--;
    return true;
  }

  /** The cells, grown for one more key and widened if `key` or `value` does not fit a narrow table. */
  private room(key: number, value: number): Cells {
    if (this.narrow !== null && !(fits(key) && fits(value))) this.rebuild(this.mask + 1, true);
    if ((this.size + 1) * 2 > this.mask + 1) this.rebuild(2 * (this.mask + 1), this.narrow === null);
    return this.narrow ?? this.wide!;
  }

  private rebuild(slots: number, wide: boolean): void {
    const old: Cells = this.narrow ?? this.wide!;
    if (wide) (this.wide = new Float64Array(2 * slots).fill(EMPTY)), (this.narrow = null);
    else this.narrow = new Int32Array(2 * slots).fill(EMPTY);
    this.mask = slots - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== EMPTY) this.set(old[i], old[i + 1]);
  }
}
