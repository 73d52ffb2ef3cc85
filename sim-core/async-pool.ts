// The solved async worker pool's memory: the tasks of one instance's independent worker pool that
// have not finished, in a growable ring (see PipelineSim.lazy for when a pool is solved this way).
// Pure: no Node or DOM imports.

/**
 * The tasks of one instance's independent worker pool that have not finished, in the order they
 * were queued (which is also the order they start): enqueue, start and end times, and the span of
 * the service call. Counters are absolute; `qi` is the first task not yet started by `now`.
 */
export class TaskRing {
  t = new Float64Array(64);
  s = new Float64Array(64);
  e = new Float64Array(64);
  cs = new Float64Array(64);
  ce = new Float64Array(64);
  head = 0;
  qi = 0;
  tail = 0;

  push(t: number, s: number, e: number, cs: number, ce: number): void {
    // the doubling is a method of its own: a small push is inlined into lazyTask
    if (this.tail - this.head === this.t.length) this.grow();
    const x = this.tail++ & (this.t.length - 1);
    this.t[x] = t;
    this.s[x] = s;
    this.e[x] = e;
    this.cs[x] = cs;
    this.ce[x] = ce;
  }

  /** Doubles the arrays (they are full). */
  private grow(): void {
    const m = this.t.length - 1;
    const n = 2 * (m + 1);
    const grow = (a: Float64Array) => {
      const b = new Float64Array(n);
      for (let x = this.head; x < this.tail; x++) b[x & (n - 1)] = a[x & m];
      return b;
    };
    this.t = grow(this.t);
    this.s = grow(this.s);
    this.e = grow(this.e);
    this.cs = grow(this.cs);
    this.ce = grow(this.ce);
  }

  /** Moves past the tasks started by `now`, drops finished ones from the front; the backlog. */
  advance(now: number): number {
    const m = this.t.length - 1;
    while (this.qi < this.tail && this.s[this.qi & m] <= now) this.qi++;
    while (this.head < this.qi && this.e[this.head & m] <= now) this.head++;
    return this.tail - this.qi;
  }

  /** Tasks queued or running at `now`. */
  unfinished(now: number): number {
    const m = this.t.length - 1;
    let n = 0;
    for (let x = this.head; x < this.tail; x++) if (this.e[x & m] > now) n++;
    return n;
  }

  /** Start time of the first task still queued (call after advance; the backlog is not empty). */
  nextStart(): number {
    return this.s[this.qi & (this.t.length - 1)];
  }

  /** Σ over unfinished tasks of the part of [from, to) after `now` (spans given by two arrays). */
  future(from: Float64Array, to: Float64Array, now: number): number {
    const m = this.t.length - 1;
    let sum = 0;
    for (let x = this.head; x < this.tail; x++) {
      const b = to[x & m];
      if (b <= now) continue;
      const a = from[x & m];
      sum += b - (a > now ? a : now);
    }
    return sum;
  }
}
