// Covers EventQueue: time order, FIFO among equal times, peek/size, non-finite times, heap order under random load.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../src/engine/event-queue.ts';

function drain<T>(q: EventQueue<T>): Array<[number, T]> {
  const out: Array<[number, T]> = [];
  for (let e = q.pop(); e; e = q.pop()) out.push([e.timeMs, e.payload]);
  return out;
}

describe('EventQueue', () => {
  it('pops in time order', () => {
    const q = new EventQueue<string>();
    q.push(30, 'c');
    q.push(10, 'a');
    q.push(20, 'b');
    q.push(5, 'z');
    expect(q.size).toBe(4);
    expect(q.peek()?.payload).toBe('z');
    expect(drain(q)).toEqual([
      [5, 'z'],
      [10, 'a'],
      [20, 'b'],
      [30, 'c'],
    ]);
    expect(q.size).toBe(0);
    expect(q.pop()).toBeUndefined();
    expect(q.peek()).toBeUndefined();
  });

  it('pops equal times first-in first-out, also when pushed around other times', () => {
    const q = new EventQueue<number>();
    const times = [7, 3, 7, 7, 1, 3, 7, 0, 7, 3];
    times.forEach((t, i) => q.push(t, i));
    const got = drain(q).map(([, i]) => i);
    // stable sort by time of the insertion indices
    const want = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.i);
    expect(got).toEqual(want);
    expect(got).toEqual([7, 4, 1, 5, 9, 0, 2, 3, 6, 8]);
  });

  it('keeps FIFO for an event pushed at the current time while popping', () => {
    const q = new EventQueue<string>();
    q.push(10, 'first');
    q.push(10, 'second');
    const a = q.pop()!;
    expect(a.payload).toBe('first');
    q.push(10, 'third'); // scheduled "now" by the handler of `first`
    expect(drain(q).map(([, p]) => p)).toEqual(['second', 'third']);
  });

  it('rejects non-finite times', () => {
    const q = new EventQueue<number>();
    expect(() => q.push(Number.NaN, 1)).toThrow(/finite/);
    expect(() => q.push(Number.POSITIVE_INFINITY, 1)).toThrow(/finite/);
    expect(q.size).toBe(0);
  });

  it('matches a stable sort under random interleaved pushes and pops', () => {
    const rnd = seedrandom('event-queue');
    const q = new EventQueue<number>();
    const ref: Array<{ t: number; seq: number }> = [];
    let seq = 0;
    let now = 0;
    const popped: number[] = [];
    const expected: number[] = [];
    for (let step = 0; step < 5000; step++) {
      if (rnd() < 0.6 || ref.length === 0) {
        const t = now + Math.floor(rnd() * 20); // many ties
        q.push(t, seq);
        ref.push({ t, seq });
        seq++;
      } else {
        ref.sort((a, b) => a.t - b.t || a.seq - b.seq);
        const want = ref.shift()!;
        const got = q.pop()!;
        expect(got.timeMs).toBe(want.t);
        popped.push(got.payload);
        expected.push(want.seq);
        now = got.timeMs; // a simulation never schedules into the past
      }
    }
    expect(popped).toEqual(expected);
    expect(q.size).toBe(ref.length);
  });

  it('pops in-order pushes (and ones out of order, which go to the heap) exactly as plain pushes', () => {
    const rnd = seedrandom('event-queue-lane');
    const q = new EventQueue<number>();
    const ref: Array<{ t: number; seq: number }> = [];
    let seq = 0;
    let now = 0;
    let late = 0;
    for (let step = 0; step < 20_000; step++) {
      const u = rnd();
      if (u < 0.3 || ref.length === 0) {
        const t = now + Math.floor(rnd() * 20);
        q.push(t, seq);
        ref.push({ t, seq: seq++ });
      } else if (u < 0.6) {
        // mostly non-decreasing (a fixed delay after a send), sometimes earlier than the last one
        late = rnd() < 0.05 ? now + Math.floor(rnd() * 50) : Math.max(late, now + 40) + Math.floor(rnd() * 3);
        q.pushInOrder(late, seq);
        ref.push({ t: late, seq: seq++ });
      } else {
        ref.sort((a, b) => a.t - b.t || a.seq - b.seq);
        const want = ref.shift()!;
        expect(q.peek()!.payload).toBe(want.seq);
        const got = q.pop()!;
        expect([got.timeMs, got.payload]).toEqual([want.t, want.seq]);
        now = got.timeMs;
      }
      expect(q.size).toBe(ref.length);
    }
    ref.sort((a, b) => a.t - b.t || a.seq - b.seq);
    expect(drain(q).map(([, p]) => p)).toEqual(ref.map((r) => r.seq));
    expect(() => q.pushInOrder(Number.NaN, 1)).toThrow(/finite/);
  });
});
