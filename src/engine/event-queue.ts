// Event queue: a binary min-heap keyed by (timeMs, insertion order), so ties pop first-in first-out,
// beside a FIFO lane for events pushed in time order (e.g. cut-offs at a fixed delay after each send):
// they stay out of the heap, which then holds only the few near events. Pops merge both by
// (time, insertion order), so the order is exactly that of one heap.

export interface QueuedEvent<T> {
  timeMs: number;
  seq: number;
  payload: T;
}

export class EventQueue<T> {
  private heap: QueuedEvent<T>[] = [];
  private nextSeq = 0;
  /** The in-order lane: lane[laneHead ..] in (time, seq) order. */
  private lane: QueuedEvent<T>[] = [];
  private laneHead = 0;

  get size(): number {
    return this.heap.length + this.lane.length - this.laneHead;
  }

  push(timeMs: number, payload: T): QueuedEvent<T> {
    if (!Number.isFinite(timeMs)) throw new Error(`event time must be finite, got ${timeMs}`);
    const ev = { timeMs, seq: this.nextSeq++, payload };
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(ev, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = ev;
    return ev;
  }

  /** Push an event expected no earlier than the last one pushed this way: it joins the in-order lane
   *  (or the heap, when it is earlier after all). Pops the same as push. */
  pushInOrder(timeMs: number, payload: T): QueuedEvent<T> {
    const lane = this.lane;
    if (!Number.isFinite(timeMs) || (lane.length > this.laneHead && timeMs < lane[lane.length - 1].timeMs)) return this.push(timeMs, payload);
    const ev = { timeMs, seq: this.nextSeq++, payload };
    lane.push(ev);
    return ev;
  }

  peek(): QueuedEvent<T> | undefined {
    const h = this.heap[0];
    const l = this.laneHead < this.lane.length ? this.lane[this.laneHead] : undefined;
    return l === undefined || (h !== undefined && less(h, l)) ? h : l;
  }

  pop(): QueuedEvent<T> | undefined {
    if (this.laneHead < this.lane.length) {
      const l = this.lane[this.laneHead];
      if (this.heap.length === 0 || less(l, this.heap[0])) return this.popLane(l);
    }
    return this.popHeap();
  }

  private popLane(l: QueuedEvent<T>): QueuedEvent<T> {
    const lane = this.lane;
    if (++this.laneHead === lane.length) {
      lane.length = 0;
      this.laneHead = 0;
    } else if (this.laneHead >= 4096 && this.laneHead * 2 >= lane.length) {
      lane.splice(0, this.laneHead);
      this.laneHead = 0;
    }
    return l;
  }

  private popHeap(): QueuedEvent<T> | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(h[r], h[l]) ? r : l;
        if (!less(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function less<T>(a: QueuedEvent<T>, b: QueuedEvent<T>): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
}
