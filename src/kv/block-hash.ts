// Engine block hashes: chained 53-bit hashes of engine-sized (e.g. 64-token) blocks, derived from a
// trace's 512-token hash ids. Each hash encodes its whole prefix, like TRT-LLM's / Dynamo's sequence hashes.
import { CompactPrefixScan } from './prefix-scan.ts';

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO32 = 4294967296;

/** Hash of the block after `prev` whose content is sub-block `sub` of trace block `traceId`. */
export function chainHash(prev: number, traceId: number, sub: number): number {
  const prevLo = prev >>> 0;
  const prevHi = Math.floor(prev / TWO32) >>> 0;
  const idLo = traceId >>> 0;
  const idHi = Math.floor(traceId / TWO32) >>> 0;
  const lo = fmix32(prevLo ^ Math.imul(idLo ^ 0x9e3779b9, 0xcc9e2d51) ^ Math.imul(sub + 1, 0x1b873593) ^ idHi);
  const hi = fmix32(prevHi ^ Math.imul(idLo + 0x7f4a7c15, 0x2545f491) ^ Math.imul(sub + 0x51, 0x27d4eb2f) ^ lo);
  return (hi & 0x1fffff) * TWO32 + lo;
}

/** Seed of every chain (the empty prefix). */
export const ROOT_HASH = 1337;

/**
 * Hashes of the FULL engine blocks of a prompt (a partial last block is not reusable, so it gets none).
 * `traceBlockTokens` must be a multiple of `engineBlockTokens`.
 */
export function engineBlockHashes(
  hashIds: readonly number[],
  inputTokens: number,
  traceBlockTokens: number,
  engineBlockTokens: number,
): number[] {
  if (traceBlockTokens % engineBlockTokens !== 0) {
    throw new Error(`trace block (${traceBlockTokens}) must be a multiple of the engine block (${engineBlockTokens})`);
  }
  const per = traceBlockTokens / engineBlockTokens;
  const full = Math.floor(inputTokens / engineBlockTokens);
  const out = new Array<number>(full);
  let h = ROOT_HASH;
  for (let j = 0; j < full; j++) {
    h = chainHash(h, hashIds[Math.floor(j / per)], j % per);
    out[j] = h;
  }
  return out;
}

/**
 * Block keys for a whole trace. When the trace keeps the prefix property (every hash id always at the
 * same position after the same id), the id alone identifies its whole prefix, and the engine blocks of
 * one trace block are always computed, shared and freed together: they form one keyed unit (small
 * integer keys, 8x fewer cache operations, no collisions). Otherwise every engine block is its own
 * unit keyed by a chained hash of the whole prefix.
 */
export class BlockKeyer {
  readonly mode: 'trace-id' | 'chained';
  private readonly per: number;

  /** `prefixProperty`: the trace keeps it (hasPrefixProperty over all its requests, ids below 2^30). */
  constructor(
    prefixProperty: boolean,
    private readonly traceBlockTokens: number,
    private readonly engineBlockTokens: number,
  ) {
    if (traceBlockTokens % engineBlockTokens !== 0) {
      throw new Error(`trace block (${traceBlockTokens}) must be a multiple of the engine block (${engineBlockTokens})`);
    }
    this.per = traceBlockTokens / engineBlockTokens;
    this.mode = prefixProperty ? 'trace-id' : 'chained';
  }

  /** The prompt's cacheable blocks as keyed units (see BlockChain). */
  chain(hashIds: readonly number[], inputTokens: number): BlockChain {
    const fullBlocks = Math.floor(inputTokens / this.engineBlockTokens);
    if (this.mode === 'chained' || fullBlocks === 0) {
      return { keys: engineBlockHashes(hashIds, inputTokens, this.traceBlockTokens, this.engineBlockTokens), perKey: 1, lastKeyBlocks: 1 };
    }
    const per = this.per;
    const units = Math.ceil(fullBlocks / per);
    const keys = hashIds.slice(0, units);
    const last = fullBlocks - (units - 1) * per;
    return { keys, perKey: per, lastKeyBlocks: last };
  }
}

/** A prompt's full engine blocks grouped in keyed units of `perKey` blocks (the last unit: `lastKeyBlocks`). */
export interface BlockChain {
  keys: number[];
  perKey: number;
  lastKeyBlocks: number;
}

/** Ids a trace may use as cache keys directly (trace-id mode): below this. */
export const TRACE_ID_LIMIT = 2 ** 30;

/** True if every hash id is below `limit` (a loop, where hasPrefixProperty is a scan). */
export function idsBelow(traces: readonly { hashIds: readonly number[] }[], limit: number): boolean {
  for (let i = 0; i < traces.length; i++) {
    const ids = traces[i].hashIds;
    for (let j = 0; j < ids.length; j++) if (!(ids[j] < limit)) return false;
  }
  return true;
}

/** True if each id always follows the same id at the same position, and all ids are below `maxId`. */
export function hasPrefixProperty(traces: readonly { hashIds: readonly number[] }[], maxId = TRACE_ID_LIMIT): boolean {
  const scan = new CompactPrefixScan(maxId);
  for (const t of traces) scan.add(t.hashIds);
  return scan.holds;
}
