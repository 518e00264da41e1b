// An integer-keyed hash table (key -> non-negative int) on typed arrays: open addressing with linear
// probing and backward-shift deletion, for the block caches' hot lookups (a JS Map is several times slower
// at the hundreds of thousands of keys a rank's cache holds). Keys are integers in [0, 2^53).

const EMPTY = -1;
const TWO32 = 4294967296;

function hashOf(key: number, mask: number): number {
  let h = (key >>> 0) ^ Math.imul(Math.floor(key / TWO32) | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & mask;
}

export class KeyTable {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  /** Keys in the table. */
  size = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.keys = new Float64Array(cap);
    this.values = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
  }

  /** The value of `key`, or -1. */
  get(key: number): number {
    const keys = this.keys;
    const values = this.values;
    let i = hashOf(key, this.mask);
    for (;;) {
      const v = values[i];
      if (v === EMPTY) return EMPTY;
      if (keys[i] === key) return v;
      i = (i + 1) & this.mask;
    }
  }

  has(key: number): boolean {
    return this.get(key) !== EMPTY;
  }

  /** Sets `key` to `value` (a non-negative integer below 2^31). */
  set(key: number, value: number): void {
    if ((this.size + 1) * 2 > this.values.length) this.grow();
    const keys = this.keys;
    const values = this.values;
    let i = hashOf(key, this.mask);
    for (;;) {
      if (values[i] === EMPTY) {
        keys[i] = key;
        values[i] = value;
        this.size++;
        return;
      }
      if (keys[i] === key) {
        values[i] = value;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: number): boolean {
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    let i = hashOf(key, mask);
    for (;;) {
      if (values[i] === EMPTY) return false;
      if (keys[i] === key) break;
      i = (i + 1) & mask;
    }
    // Backward-shift: move later members of the probe run into the hole so no tombstones are needed.
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (values[j] === EMPTY) break;
      const home = hashOf(keys[j], mask);
      // keys[j] may fill the hole unless its home lies cyclically in (hole, j]
      if (hole <= j ? home <= hole || home > j : home <= hole && home > j) {
        keys[hole] = keys[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    values[hole] = EMPTY;
    this.size--;
    return true;
  }

  /** Calls `fn` for every (key, value), in slot order. */
  forEach(fn: (key: number, value: number) => void): void {
    const { keys, values } = this;
    for (let i = 0; i < values.length; i++) if (values[i] !== EMPTY) fn(keys[i], values[i]);
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const cap = oldValues.length * 2;
    this.keys = new Float64Array(cap);
    this.values = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < oldValues.length; i++) if (oldValues[i] !== EMPTY) this.set(oldKeys[i], oldValues[i]);
  }
}
