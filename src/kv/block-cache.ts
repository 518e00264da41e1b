// Per-rank KV block cache: fixed block budget, reference-counted prefix blocks keyed by chained hash,
// an LRU pool of unreferenced cached blocks evicted LRU-first, and stored/removed events for routers.

export type KvEventKind = 'stored' | 'removed';
export type KvEventListener = (kind: KvEventKind, hashes: readonly number[]) => void;

interface Entry {
  hash: number;
  refs: number;
  prev: Entry | null; // LRU links, only while refs === 0
  next: Entry | null;
}

/** Blocks one request holds on one rank. */
export class Allocation {
  /** Prefix blocks shared through the hash map, in prompt order. */
  readonly hashed: Entry[] = [];
  /** Private blocks (uncached prompt tail, generated tokens, everything when reuse is off). */
  anon = 0;
  /** Leading prompt blocks found in the cache at allocation. */
  matchedBlocks = 0;
  released = false;
  get totalBlocks(): number {
    return this.hashed.length + this.anon;
  }
}

export class BlockCache {
  readonly capacityBlocks: number;
  readonly reuse: boolean;
  private readonly map = new Map<number, Entry>();
  private lruHead: Entry | null = null; // least recently used
  private lruTail: Entry | null = null;
  private lruSize = 0;
  private anonUsed = 0;
  private listener: KvEventListener | null = null;
  /** Totals for reporting. */
  evictedBlocks = 0;

  constructor(capacityBlocks: number, reuse: boolean) {
    if (!Number.isInteger(capacityBlocks) || capacityBlocks <= 0) throw new Error(`cache capacity must be a positive integer of blocks, got ${capacityBlocks}`);
    this.capacityBlocks = capacityBlocks;
    this.reuse = reuse;
  }

  onEvent(listener: KvEventListener | null): void {
    this.listener = listener;
  }

  /** Blocks neither held nor cached. */
  get freeBlocks(): number {
    return this.capacityBlocks - this.anonUsed - this.map.size;
  }
  /** Blocks held by live requests. */
  get usedBlocks(): number {
    return this.anonUsed + this.map.size - this.lruSize;
  }
  /** Unreferenced cached blocks (evictable). */
  get cachedFreeBlocks(): number {
    return this.lruSize;
  }

  /** Leading blocks of `hashes` present in the cache (0 when reuse is off). */
  matchPrefix(hashes: readonly number[], limit = hashes.length): number {
    if (!this.reuse) return 0;
    let n = 0;
    while (n < limit && this.map.has(hashes[n])) n++;
    return n;
  }

  /**
   * Take `totalBlocks` blocks for a request whose prompt blocks are `hashes`, reusing at most
   * `maxReuseBlocks` leading cached ones. Returns null (and changes nothing) if they do not fit.
   */
  allocate(hashes: readonly number[], totalBlocks: number, maxReuseBlocks = hashes.length): Allocation | null {
    const matched = Math.min(this.matchPrefix(hashes, Math.min(maxReuseBlocks, hashes.length)), totalBlocks);
    let reclaimed = 0; // matched blocks currently in the LRU pool: they stop being evictable
    for (let i = 0; i < matched; i++) if (this.map.get(hashes[i])!.refs === 0) reclaimed++;
    const need = totalBlocks - matched;
    if (need > this.freeBlocks + this.lruSize - reclaimed) return null;
    const a = new Allocation();
    a.matchedBlocks = matched;
    for (let i = 0; i < matched; i++) {
      const e = this.map.get(hashes[i])!;
      if (e.refs === 0) this.lruRemove(e);
      e.refs++;
      a.hashed.push(e);
    }
    this.takeFree(need);
    a.anon = need;
    return a;
  }

  /**
   * The request has computed its first `computedBlocks` prompt blocks: make the newly full ones
   * shareable (reuse on). A hash already cached by another request stays private here.
   */
  register(a: Allocation, hashes: readonly number[], computedBlocks: number): void {
    if (!this.reuse || a.released) return;
    const upto = Math.min(computedBlocks, hashes.length);
    if (a.hashed.length >= upto) return;
    const stored: number[] = [];
    for (let i = a.hashed.length; i < upto; i++) {
      if (a.anon === 0) break;
      const h = hashes[i];
      if (this.map.has(h)) break; // a twin computed concurrently: our chain continues privately
      const e: Entry = { hash: h, refs: 1, prev: null, next: null };
      this.map.set(h, e);
      a.hashed.push(e);
      a.anon--;
      this.anonUsed--;
      stored.push(h);
    }
    if (stored.length > 0 && this.listener) this.listener('stored', stored);
  }

  /** Return every block of `a`; cached prefix blocks go to the LRU pool (most recent at the tail). */
  release(a: Allocation): void {
    if (a.released) throw new Error('double free of a KV allocation');
    a.released = true;
    // Free the tail of the prompt first so that, among this request's blocks, the root is evicted last.
    for (let i = a.hashed.length - 1; i >= 0; i--) {
      const e = a.hashed[i];
      if (e.refs <= 0) throw new Error(`KV block ${e.hash} released with refcount ${e.refs}`);
      e.refs--;
      if (e.refs === 0) this.lruPushTail(e);
    }
    if (a.anon > this.anonUsed) throw new Error('KV anonymous block count underflow');
    this.anonUsed -= a.anon;
  }

  /** Grow an allocation by `blocks` private blocks (false if they do not fit). */
  extend(a: Allocation, blocks: number): boolean {
    if (blocks > this.freeBlocks + this.lruSize) return false;
    this.takeFree(blocks);
    a.anon += blocks;
    return true;
  }

  /** Throws unless no request holds any block (end-of-run leak check). */
  assertNoLiveBlocks(where: string): void {
    if (this.anonUsed !== 0) throw new Error(`${where}: ${this.anonUsed} private KV blocks leaked`);
    for (const e of this.map.values()) {
      if (e.refs !== 0) throw new Error(`${where}: KV block ${e.hash} leaked with refcount ${e.refs}`);
    }
    if (this.lruSize !== this.map.size) throw new Error(`${where}: LRU pool ${this.lruSize} != cached ${this.map.size}`);
  }

  private takeFree(n: number): void {
    let fromFree = Math.min(n, this.freeBlocks);
    this.anonUsed += fromFree;
    let rest = n - fromFree;
    if (rest === 0) return;
    const removed: number[] = [];
    while (rest > 0) {
      const e = this.lruHead;
      if (!e) throw new Error('KV cache eviction with an empty LRU pool');
      this.lruRemove(e);
      this.map.delete(e.hash);
      removed.push(e.hash);
      this.anonUsed++;
      rest--;
    }
    this.evictedBlocks += removed.length;
    if (this.listener) this.listener('removed', removed);
  }

  private lruPushTail(e: Entry): void {
    e.prev = this.lruTail;
    e.next = null;
    if (this.lruTail) this.lruTail.next = e;
    else this.lruHead = e;
    this.lruTail = e;
    this.lruSize++;
  }

  private lruRemove(e: Entry): void {
    if (e.prev) e.prev.next = e.next;
    else this.lruHead = e.next;
    if (e.next) e.next.prev = e.prev;
    else this.lruTail = e.prev;
    e.prev = e.next = null;
    this.lruSize--;
  }
}
