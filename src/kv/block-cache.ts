// Per-rank KV block cache: fixed block budget, reference-counted prefix blocks keyed by hash,
// an LRU pool of unreferenced cached blocks evicted LRU-first, and stored/removed events for routers.
//
// Prefix blocks are kept in keyed units: a unit is one engine block (perKey = 1, chained hashes) or,
// for traces with the prefix property, one trace block of `perKey` engine blocks that are always
// computed, shared and freed together (the last unit of a prompt may hold fewer: `lastKeyBlocks`).
// Capacity, matching and eviction are all counted in engine blocks.

import type { KvEventListener } from '../protocol/router.ts';
import { KeyTable } from '../util/key-table.ts';

interface Entry {
  /** Its slot in BlockCache.entries (fixed for the entry's life, reused with it). */
  readonly slot: number;
  key: number;
  blocks: number;
  refs: number;
  prev: Entry | null; // LRU links, only while refs === 0
  next: Entry | null;
}

/** Engine blocks in the first `units` units of a chain of `length` keys. */
export function blocksInUnits(units: number, length: number, perKey: number, lastKeyBlocks: number): number {
  if (units <= 0) return 0;
  return units >= length ? (length - 1) * perKey + lastKeyBlocks : units * perKey;
}

/** Blocks one request holds on one rank. */
export class Allocation {
  /** Prefix units shared through the key map, in prompt order. */
  readonly hashed: Entry[] = [];
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

export class BlockCache {
  readonly capacityBlocks: number;
  readonly reuse: boolean;
  /** Cached unit key -> slot in `entries`. */
  private readonly map = new KeyTable();
  private readonly entries: Entry[] = [];
  private lruHead: Entry | null = null; // least recently used
  private lruTail: Entry | null = null;
  private lruBlocks = 0;
  private cachedBlocks = 0; // blocks of every entry in the map (held or in the LRU pool)
  private anonUsed = 0;
  private listener: KvEventListener | null = null;
  /** Evicted entries kept for reuse (no allocation per registered unit). */
  private readonly spare: Entry[] = [];
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
    while (n < limit && this.map.has(keys[n])) n++;
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
    const found = this.matchPrefix(keys);
    let units = 0;
    let matched = 0;
    let reclaimed = 0; // matched blocks now in the LRU pool: they stop being evictable
    while (units < found && matched < cap) {
      const e = this.entry(keys[units]);
      const own = units === keys.length - 1 ? lastKeyBlocks : perKey;
      matched = Math.min(cap, matched + Math.min(e.blocks, own));
      if (e.refs === 0) reclaimed += e.blocks;
      units++;
      if (e.blocks < own) break; // a shorter (partial) cached unit: the prefix ends inside it
    }
    const need = totalBlocks - matched;
    if (need > this.freeBlocks + this.lruBlocks - reclaimed) return null;
    const a = new Allocation();
    a.matchedBlocks = matched;
    for (let i = 0; i < units; i++) {
      const e = this.entry(keys[i]);
      if (e.refs === 0) this.lruRemove(e);
      e.refs++;
      a.hashed.push(e);
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
    let stored: number[] | null = null;
    for (let i = a.hashed.length; i < keys.length; i++) {
      const blocks = i === keys.length - 1 ? lastKeyBlocks : perKey;
      // unit i ends at this block of the prompt; it is shareable once computed that far
      if (blocksInUnits(i + 1, keys.length, perKey, lastKeyBlocks) > computedBlocks || blocks > a.anon) break;
      const key = keys[i];
      if (this.map.has(key)) break; // a twin computed concurrently: our chain continues privately
      let e = this.spare.pop();
      if (e === undefined) {
        e = { slot: this.entries.length, key, blocks, refs: 1, prev: null, next: null };
        this.entries.push(e);
      }
      e.key = key;
      e.blocks = blocks;
      e.refs = 1;
      this.map.set(key, e.slot);
      a.hashed.push(e);
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
    // Free the tail of the prompt first so that, among this request's blocks, the root is evicted last.
    for (let i = a.hashed.length - 1; i >= 0; i--) {
      const e = a.hashed[i];
      if (e.refs <= 0) throw new Error(`KV block ${e.key} released with refcount ${e.refs}`);
      e.refs--;
      if (e.refs === 0) this.lruPushTail(e);
    }
    if (a.anon > this.anonUsed) throw new Error('KV private block count underflow');
    this.anonUsed -= a.anon;
  }

  /** Throws unless no request holds any block (end-of-run leak check). */
  assertNoLiveBlocks(where: string): void {
    if (this.anonUsed !== 0) throw new Error(`${where}: ${this.anonUsed} private KV blocks leaked`);
    this.map.forEach((key, slot) => {
      const e = this.entries[slot];
      if (e.refs !== 0) throw new Error(`${where}: KV block ${key} leaked with refcount ${e.refs}`);
    });
    if (this.lruBlocks !== this.cachedBlocks) throw new Error(`${where}: LRU pool ${this.lruBlocks} blocks != cached ${this.cachedBlocks}`);
  }

  private entry(key: number): Entry {
    return this.entries[this.map.get(key)];
  }

  private takeFree(n: number): void {
    let removed: number[] | null = null;
    while (this.freeBlocks < n) {
      const e = this.lruHead;
      if (!e) throw new Error('KV cache eviction with an empty LRU pool');
      this.lruRemove(e);
      this.map.delete(e.key);
      this.cachedBlocks -= e.blocks;
      this.evictedBlocks += e.blocks;
      if (this.listener) (removed ??= []).push(e.key);
      this.spare.push(e);
    }
    this.anonUsed += n;
    if (removed) this.listener!('removed', removed);
  }

  private lruPushTail(e: Entry): void {
    e.prev = this.lruTail;
    e.next = null;
    if (this.lruTail) this.lruTail.next = e;
    else this.lruHead = e;
    this.lruTail = e;
    this.lruBlocks += e.blocks;
  }

  private lruRemove(e: Entry): void {
    if (e.prev) e.prev.next = e.next;
    else this.lruHead = e.next;
    if (e.next) e.next.prev = e.prev;
    else this.lruTail = e.prev;
    e.prev = e.next = null;
    this.lruBlocks -= e.blocks;
  }
}
