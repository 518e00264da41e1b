// Named seeded random streams: each consumer (a workload, each router, each tie-break) draws from its
// own stream derived from the run's seed and its name, so one consumer's draws never shift another's.
import seedrandom from 'seedrandom';

/** A uniform [0, 1) source. */
export type Rng = () => number;

/** A deterministic generator for a seed string (seedrandom's ARC4). */
export function makeRng(seed: string): Rng {
  const prng = seedrandom(seed);
  return () => prng();
}

/** The stream called `name` of run seed `seed` ("<seed>:<name>"). */
export function randomStream(seed: string, name: string): Rng {
  return makeRng(`${seed}:${name}`);
}
