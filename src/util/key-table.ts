// An integer-keyed hash table (key -> non-negative int) on one typed array: open addressing with linear
// probing and backward-shift deletion, for the block caches' hot lookups (a JS Map is several times slower
// at the hundreds of thousands of keys a rank's cache holds). Keys are integers in [0, 2^53). A slot's key
// and value sit side by side, and runs of consecutive keys fill consecutive slots (fewer cache lines per
// prompt); an empty slot holds key -1.

const EMPTY = -1;
const TWO32 = 4294967296;

/** Consecutive keys share a group of slots (one cache line): a prompt's new blocks often have consecutive ids. */
const GROUP_BITS = 2;
const GROUP = (1 << GROUP_BITS) - 1;

function hashOf(key: number, mask: number): number {
  const g = key < TWO32 ? key >>> GROUP_BITS : ((key >>> 0) >>> GROUP_BITS) ^ Math.imul(Math.floor(key / TWO32) | 0, 0x9e3779b1);
  let h = Math.imul(g ^ (g >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (((h ^ (h >>> 16)) << GROUP_BITS) | (key & GROUP)) & mask;
}

export class KeyTable {
  /** cells[2i] = key of slot i (EMPTY when free), cells[2i + 1] = its value. */
  private cells: Float64Array;
  /** Slots - 1 (slots are a power of two). */
  private mask: number;
  /** Keys in the table. */
  size = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.cells = new Float64Array(2 * cap).fill(EMPTY);
    this.mask = cap - 1;
  }

  /** The value of `key`, or -1. */
  get(key: number): number {
    const cells = this.cells;
    const mask = this.mask;
    let i = hashOf(key, mask);
    for (;;) {
      const k = cells[2 * i];
      if (k === key) return cells[2 * i + 1];
      if (k === EMPTY) return EMPTY;
      i = (i + 1) & mask;
    }
  }

  has(key: number): boolean {
    return this.get(key) !== EMPTY;
  }

  /** Sets `key` to `value` (a non-negative integer below 2^31). */
  set(key: number, value: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const cells = this.cells;
    const mask = this.mask;
    let i = hashOf(key, mask);
    for (;;) {
      const k = cells[2 * i];
      if (k === key) {
        cells[2 * i + 1] = value;
        return;
      }
      if (k === EMPTY) {
        cells[2 * i] = key;
        cells[2 * i + 1] = value;
        this.size++;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  /** The value of `key` if present (the table unchanged), else sets it to `value` and returns -1. */
  setIfAbsent(key: number, value: number): number {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const cells = this.cells;
    const mask = this.mask;
    let i = hashOf(key, mask);
    for (;;) {
      const k = cells[2 * i];
      if (k === key) return cells[2 * i + 1];
      if (k === EMPTY) {
        cells[2 * i] = key;
        cells[2 * i + 1] = value;
        this.size++;
        return EMPTY;
      }
      i = (i + 1) & mask;
    }
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: number): boolean {
    const cells = this.cells;
    const mask = this.mask;
    let i = hashOf(key, mask);
    for (;;) {
      const k = cells[2 * i];
      if (k === key) break;
      if (k === EMPTY) return false;
      i = (i + 1) & mask;
    }
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

  /** Calls `fn` for every (key, value), in slot order. */
  forEach(fn: (key: number, value: number) => void): void {
    const cells = this.cells;
    for (let i = 0; i < cells.length; i += 2) if (cells[i] !== EMPTY) fn(cells[i], cells[i + 1]);
  }

  private grow(): void {
    const old = this.cells;
    const cap = old.length; // slots double: old.length / 2 * 2
    this.cells = new Float64Array(2 * cap).fill(EMPTY);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== EMPTY) this.set(old[i], old[i + 1]);
  }
}
