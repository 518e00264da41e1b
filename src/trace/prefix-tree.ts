// Core radix tree of a trace's hash-id prefixes, built exactly as Dynamo datagen's synthesizer builds it.
//
// Steps (datagen synthesizer.py + graph_utils.py): renormalise ids so that a block id is determined by
// (parent id, original id) and numbered in first-appearance order (aiperf RollingHasher); count visits
// and path ends per node; mark `toLeaf` (paths that left a multi-visit node into a singleton child);
// contract unary chains of equal visit count into radix nodes with a `lengthBlocks`; remove the
// singleton chains (unique user prompts) and keep their lengths as the empirical prompt-length
// distribution; per node, a transition CDF over [children..., CACHE_END, END_NODE].
import { cdfOf } from './samplers.ts';

/** Transition target: stop walking the tree and append a fresh user prompt. */
export const CACHE_END = -2;
/** Transition target: stop walking the tree; the request has no unique prompt. */
export const END_NODE = -3;

export interface RadixNode {
  /** Renormalised id of the chain's last block (the radix node's id in datagen). */
  endId: number;
  /** Number of blocks contracted into this node (1 for the super-root). */
  lengthBlocks: number;
  /** Paths through this node. */
  visited: number;
  /** Paths that ended exactly here. */
  end: number;
  /** Paths that went from here into a singleton (unique-prompt) chain. */
  toLeaf: number;
  /** Indices (into CoreTree.nodes) of the core children. */
  children: number[];
  /** Transition targets: child indices, then CACHE_END, then END_NODE. */
  outTargets: number[];
  outCdf: Float64Array;
}

export interface CoreTree {
  /** nodes[0] is the super-root (datagen's SUPER_ROOT = -1). */
  nodes: RadixNode[];
  /** Lengths (blocks) of the removed singleton chains: the empirical user-prompt length distribution. */
  leafLengthsBlocks: number[];
  /** Largest renormalised id over the whole trace (core and singleton blocks). */
  maxHashId: number;
  numPaths: number;
}

export function buildCoreTree(paths: Iterable<readonly number[]>): CoreTree {
  // 1. Renormalise and count. Node ids are 0..n-1 in first-appearance order; the root is -1.
  const parentOf: number[] = [];
  const visited: number[] = [];
  const endCount: number[] = [];
  const childMaps: (Map<number, number> | undefined)[] = [];
  const rootMap = new Map<number, number>();
  let numPaths = 0;
  for (const path of paths) {
    numPaths++;
    let parent = -1;
    for (const orig of path) {
      const map = parent < 0 ? rootMap : (childMaps[parent] ??= new Map());
      let id = map.get(orig);
      if (id === undefined) {
        id = visited.length;
        map.set(orig, id);
        parentOf.push(parent);
        visited.push(0);
        endCount.push(0);
        childMaps.push(undefined);
      }
      visited[id]++;
      parent = id;
    }
    if (parent >= 0) endCount[parent]++;
  }
  const n = visited.length;
  const rootChildren: number[] = [];
  const children: number[][] = Array.from({ length: n }, () => []);
  for (let id = 0; id < n; id++) {
    const p = parentOf[id];
    if (p < 0) rootChildren.push(id);
    else children[p].push(id);
  }

  // 2. toLeaf: children visited exactly once, counted only on multi-visit nodes.
  const toLeafOf = (nodeVisited: number, kids: number[]): number => {
    if (nodeVisited <= 1) return 0;
    let c = 0;
    for (const k of kids) if (visited[k] === 1) c++;
    return c;
  };

  // 3. Contract chains, drop singleton chains, build the core radix tree.
  const nodes: RadixNode[] = [];
  const leafLengthsBlocks: number[] = [];
  const mk = (endId: number, lengthBlocks: number, v: number, e: number, tl: number): RadixNode => ({
    endId,
    lengthBlocks,
    visited: v,
    end: e,
    toLeaf: tl,
    children: [],
    outTargets: [],
    outCdf: new Float64Array(0),
  });
  nodes.push(mk(-1, 1, numPaths, 0, toLeafOf(numPaths, rootChildren)));
  // stack of [first id of a chain, parent radix index]
  const stack: [number, number][] = [];
  for (let i = rootChildren.length - 1; i >= 0; i--) stack.push([rootChildren[i], 0]);
  while (stack.length > 0) {
    const [start, parentIdx] = stack.pop()!;
    let cur = start;
    let len = 1;
    const v = visited[start];
    while (children[cur].length === 1 && visited[children[cur][0]] === v) {
      cur = children[cur][0];
      len++;
    }
    if (v === 1) {
      leafLengthsBlocks.push(len);
      continue;
    }
    const idx = nodes.length;
    nodes.push(mk(cur, len, v, endCount[cur], toLeafOf(v, children[cur])));
    nodes[parentIdx].children.push(idx);
    const kids = children[cur];
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], idx]);
  }
  // Children were pushed in DFS order; keep them sorted by id for a stable layout.
  for (const node of nodes) {
    node.children.sort((a, b) => nodes[a].endId - nodes[b].endId);
    const weights = [...node.children.map((c) => nodes[c].visited), node.toLeaf, node.end];
    node.outTargets = [...node.children, CACHE_END, END_NODE];
    node.outCdf = weights.some((w) => w > 0) ? cdfOf(weights) : cdfOf([...node.children.map(() => 0), 0, 1]);
  }
  return { nodes, leafLengthsBlocks, maxHashId: n - 1, numPaths };
}
