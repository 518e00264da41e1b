// The KV router's index of which target caches which prompt block key, fed by the engines' stored /
// removed events: one map from key to a bitmask of targets (32 targets a word), so the cached-prefix
// overlap of a request with every target comes out of one walk over its keys, as Dynamo's radix-tree
// indexer answers all workers in one traversal.

export class PrefixIndex {
  /** word w: key → bits of targets 32w … 32w+31 holding it. */
  private readonly words: Map<number, number>[];
  /** Keys held per target (Dynamo's tree size, used to break ties). */
  readonly sizes: Int32Array;

  constructor(readonly targets: number) {
    this.words = Array.from({ length: Math.ceil(targets / 32) }, () => new Map<number, number>());
    this.sizes = new Int32Array(targets);
  }

  store(target: number, keys: readonly number[]): void {
    const m = this.words[target >> 5];
    const bit = 1 << (target & 31);
    for (const k of keys) {
      const v = m.get(k) ?? 0;
      if ((v & bit) === 0) {
        m.set(k, v | bit);
        this.sizes[target]++;
      }
    }
  }

  remove(target: number, keys: readonly number[]): void {
    const m = this.words[target >> 5];
    const bit = 1 << (target & 31);
    for (const k of keys) {
      const v = m.get(k);
      if (v === undefined || (v & bit) === 0) continue;
      const left = v & ~bit;
      if (left === 0) m.delete(k);
      else m.set(k, left);
      this.sizes[target]--;
    }
  }

  /** Does `target` hold `key`? */
  has(target: number, key: number): boolean {
    return ((this.words[target >> 5].get(key) ?? 0) & (1 << (target & 31))) !== 0;
  }

  /** out[t] = leading keys of `keys` target t holds. */
  overlaps(keys: readonly number[], out: Int32Array): void {
    for (let w = 0; w < this.words.length; w++) {
      const m = this.words[w];
      const first = w << 5;
      const n = Math.min(32, this.targets - first);
      let alive = n === 32 ? -1 : (1 << n) - 1;
      let i = 0;
      for (; i < keys.length && alive !== 0; i++) {
        const held = m.get(keys[i]) ?? 0;
        let gone = alive & ~held;
        while (gone !== 0) {
          const b = 31 - Math.clz32(gone & -gone);
          out[first + b] = i;
          gone &= gone - 1;
        }
        alive &= held;
      }
      while (alive !== 0) {
        const b = 31 - Math.clz32(alive & -alive);
        out[first + b] = i;
        alive &= alive - 1;
      }
    }
  }
}
