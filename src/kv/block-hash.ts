// Engine block hashes: chained 53-bit hashes of engine-sized (e.g. 64-token) blocks, derived from a
// trace's 512-token hash ids. Each hash encodes its whole prefix, like TRT-LLM's / Dynamo's sequence hashes.

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
