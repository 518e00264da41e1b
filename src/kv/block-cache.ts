// Per-rank KV block cache: fixed block budget, reference-counted prefix blocks keyed by hash,
// an LRU pool of unreferenced cached blocks evicted LRU-first, and stored/removed events for routers.
//
// Prefix blocks are kept in keyed units: a unit is one engine block (perKey = 1, chained hashes) or,
// for traces with the prefix property, one trace block of `perKey` engine blocks that are always
// computed, shared and freed together (the last unit of a prompt may hold fewer: `lastKeyBlocks`).
// Capacity, matching and eviction are all counted in engine blocks.

import type { KvEventListener } from '../protocol/router.ts';
import { KeyTable } from '../util/key-table.ts';

/** No entry (LRU link ends). */
const NONE = -1;

/** Engine blocks in the first `units` units of a chain of `length` keys. */
export function blocksInUnits(units: number, length: number, perKey: number, lastKeyBlocks: number): number {
  if (units <= 0) return 0;
  return units >= length ? (length - 1) * perKey + lastKeyBlocks : units * perKey;
}

/** Blocks one request holds on one rank. */
export class Allocation {
  /** Entries (slots of the cache) of the prefix units shared through the key map, in prompt order. */
  readonly hashed: number[] = [];
  /** Engine blocks in `hashed`. */
  hashedBlocks = 0;
  /** Private blocks (uncached prompt tail, generated tokens, everything when reuse is off). */
  anon = 0;
  /** Leading prompt blocks found in the cache at allocation. */
  matchedBlocks = 0;
  released = false;
  get totalBlocks(): number {
    return this.hashedBlocks + this.anon;
  }
}

/** Fields of an entry in Entries.meta, at 4 · slot + field. */
const BLOCKS = 0;
const REFS = 1;
const PREV = 2; // LRU links, only while refs === 0
const NEXT = 3;

/**
 * The cache's entries, one per cached unit, in typed arrays indexed by slot (a slot is fixed for the
 * entry's life and reused after its eviction): no object, no pointer write per registered unit; an
 * entry's counts and links share one cache line.
 */
class Entries {
  keys = new Float64Array(256);
  /** blocks, refs, prev, next of each slot. */
  meta = new Int32Array(4 * 256);
  /** Slots ever used. */
  private used = 0;
  /** Evicted slots kept for reuse, a stack. */
  private spare = new Int32Array(256);
  private spareTop = 0;

  /** The slot the next `take` returns. */
  peek(): number {
    if (this.spareTop > 0) return this.spare[this.spareTop - 1];
    if (this.used === this.keys.length) this.grow();
    return this.used;
  }

  /** Take the slot `peek` named. */
  take(): void {
    if (this.spareTop > 0) this.spareTop--;
    else this.used++;
  }

  free(slot: number): void {
    if (this.spareTop === this.spare.length) this.spare = grown(this.spare, this.spare.length * 2);
    this.spare[this.spareTop++] = slot;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    this.keys = keys;
    this.meta = grown(this.meta, this.meta.length * 2);
  }
}

function grown(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

export class BlockCache {
  readonly capacityBlocks: number;
  readonly reuse: boolean;
  /** Cached unit key -> slot in `e`. */
  private readonly map = new KeyTable();
  private readonly e = new Entries();
  private lruHead = NONE; // least recently used
  private lruTail = NONE;
  private lruBlocks = 0;
  private cachedBlocks = 0; // blocks of every entry in the map (held or in the LRU pool)
  private anonUsed = 0;
  private listener: KvEventListener | null = null;
  /** Slots of the units `allocate` matched (reused). */
  private matched = new Int32Array(256);
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
    return this.capacityBlocks - this.anonUsed - this.cachedBlocks;
  }
  /** Blocks held by live requests. */
  get usedBlocks(): number {
    return this.anonUsed + this.cachedBlocks - this.lruBlocks;
  }
  /** Prefix units in the cache (held or evictable): the keys its KV events have announced and not removed. */
  get cachedUnits(): number {
    return this.map.size;
  }

  /** Unreferenced cached blocks (evictable). */
  get cachedFreeBlocks(): number {
    return this.lruBlocks;
  }

  /** Leading units of `keys` present in the cache (0 when reuse is off), at most `limit`. */
  matchPrefix(keys: readonly number[], limit = keys.length): number {
    if (!this.reuse) return 0;
    let n = 0;
    while (n < limit && this.map.get(keys[n]) >= 0) n++;
    return n;
  }

  /**
   * Take `totalBlocks` blocks for a request whose prompt units are `keys`, reusing at most
   * `maxReuseBlocks` leading cached blocks. Returns null (and changes nothing) if they do not fit.
   */
  allocate(keys: readonly number[], totalBlocks: number, maxReuseBlocks = Infinity, perKey = 1, lastKeyBlocks = 1): Allocation | null {
    // Count matched blocks from this request's side: a cached unit may hold more blocks than the
    // request's own (shorter) last unit, and the reuse cap may end inside the last unit (the unit is
    // then shared and its capped-off blocks are recomputed privately, as the engine does).
    const cap = Math.min(maxReuseBlocks, totalBlocks);
    const meta = this.e.meta;
    if (this.matched.length < keys.length) this.matched = new Int32Array(Math.max(keys.length, 2 * this.matched.length));
    const slots = this.matched;
    let units = 0;
    let matched = 0;
    let reclaimed = 0; // matched blocks now in the LRU pool: they stop being evictable
    while (this.reuse && units < keys.length && matched < cap) {
      const slot = this.map.get(keys[units]);
      if (slot < 0) break;
      const own = units === keys.length - 1 ? lastKeyBlocks : perKey;
      const b = meta[4 * slot + BLOCKS];
      matched = Math.min(cap, matched + Math.min(b, own));
      if (meta[4 * slot + REFS] === 0) reclaimed += b;
      slots[units++] = slot;
      if (b < own) break; // a shorter (partial) cached unit: the prefix ends inside it
    }
    const need = totalBlocks - matched;
    if (need > this.freeBlocks + this.lruBlocks - reclaimed) return null;
    const a = new Allocation();
    a.matchedBlocks = matched;
    for (let i = 0; i < units; i++) {
      const slot = slots[i];
      if (meta[4 * slot + REFS] === 0) this.lruRemove(slot);
      meta[4 * slot + REFS]++;
      a.hashed.push(slot);
    }
    a.hashedBlocks = matched;
    this.takeFree(need);
    a.anon = need;
    return a;
  }

  /**
   * The request has computed its first `computedBlocks` prompt blocks: make the newly complete units
   * shareable (reuse on). A key already cached by another request stays private here.
   */
  register(a: Allocation, keys: readonly number[], computedBlocks: number, perKey = 1, lastKeyBlocks = 1): void {
    if (!this.reuse || a.released) return;
    const e = this.e;
    let stored: number[] | null = null;
    for (let i = a.hashed.length; i < keys.length; i++) {
      const blocks = i === keys.length - 1 ? lastKeyBlocks : perKey;
      // unit i ends at this block of the prompt; it is shareable once computed that far
      if (blocksInUnits(i + 1, keys.length, perKey, lastKeyBlocks) > computedBlocks || blocks > a.anon) break;
      const key = keys[i];
      const slot = e.peek();
      if (this.map.setIfAbsent(key, slot) >= 0) break; // a twin computed concurrently: our chain continues privately
      e.take();
      e.keys[slot] = key;
      e.meta[4 * slot + BLOCKS] = blocks;
      e.meta[4 * slot + REFS] = 1;
      a.hashed.push(slot);
      a.hashedBlocks += blocks;
      a.anon -= blocks;
      this.anonUsed -= blocks;
      this.cachedBlocks += blocks;
      if (this.listener) (stored ??= []).push(key);
    }
    if (stored) this.listener!('stored', stored);
  }

  /** Return every block of `a`; cached prefix units go to the LRU pool (most recent at the tail). */
  release(a: Allocation): void {
    if (a.released) throw new Error('double free of a KV allocation');
    a.released = true;
    const meta = this.e.meta;
    // Free the tail of the prompt first so that, among this request's blocks, the root is evicted last.
    for (let i = a.hashed.length - 1; i >= 0; i--) {
      const slot = a.hashed[i];
      const refs = meta[4 * slot + REFS];
      if (refs <= 0) throw new Error(`KV block ${this.e.keys[slot]} released with refcount ${refs}`);
      meta[4 * slot + REFS] = refs - 1;
      if (refs === 1) this.lruPushTail(slot);
    }
    if (a.anon > this.anonUsed) throw new Error('KV private block count underflow');
    this.anonUsed -= a.anon;
  }

  /** Throws unless no request holds any block (end-of-run leak check). */
  assertNoLiveBlocks(where: string): void {
    if (this.anonUsed !== 0) throw new Error(`${where}: ${this.anonUsed} private KV blocks leaked`);
    this.map.forEach((key, slot) => {
      const refs = this.e.meta[4 * slot + REFS];
      if (refs !== 0) throw new Error(`${where}: KV block ${key} leaked with refcount ${refs}`);
    });
    if (this.lruBlocks !== this.cachedBlocks) throw new Error(`${where}: LRU pool ${this.lruBlocks} blocks != cached ${this.cachedBlocks}`);
  }

  private takeFree(n: number): void {
    let removed: number[] | null = null;
    const e = this.e;
    while (this.freeBlocks < n) {
      const slot = this.lruHead;
      if (slot === NONE) throw new Error('KV cache eviction with an empty LRU pool');
      this.lruRemove(slot);
      const key = e.keys[slot];
      this.map.delete(key);
      const blocks = e.meta[4 * slot + BLOCKS];
      this.cachedBlocks -= blocks;
      this.evictedBlocks += blocks;
      if (this.listener) (removed ??= []).push(key);
      e.free(slot);
    }
    this.anonUsed += n;
    if (removed) this.listener!('removed', removed);
  }

  private lruPushTail(slot: number): void {
    const meta = this.e.meta;
    meta[4 * slot + PREV] = this.lruTail;
    meta[4 * slot + NEXT] = NONE;
    if (this.lruTail !== NONE) meta[4 * this.lruTail + NEXT] = slot;
    else this.lruHead = slot;
    this.lruTail = slot;
    this.lruBlocks += meta[4 * slot + BLOCKS];
  }

  private lruRemove(slot: number): void {
    const meta = this.e.meta;
    const prev = meta[4 * slot + PREV];
    const next = meta[4 * slot + NEXT];
    if (prev !== NONE) meta[4 * prev + NEXT] = next;
    else this.lruHead = next;
    if (next !== NONE) meta[4 * next + PREV] = prev;
    else this.lruTail = prev;
    this.lruBlocks -= meta[4 * slot + BLOCKS];
  }
}
