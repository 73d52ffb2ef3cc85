// The discrete-event engine: an event list ordered by (time, priority, seq) — seq is monotonic, so
// ties resolve first-in first-out and runs are deterministic — in typed arrays (a calendar of
// time buckets in front of a small binary heap) with no allocation per event once the arrays have
// grown. The pipeline model drives the list directly in its own switch loop (a SimPy-style
// wrapper had no user and went). Constant timeouts (client, pool, lock) go to FIFO `TimerQueue`s
// instead of the event list.

/**
 * Zero as a double: V8 stores a field first set to a small integer as one, and the first fraction
 * then changes the object's shape and throws optimised code away. Fields that hold times or sums
 * start at -0 (equal to 0 in every comparison and sum) so they are doubles from the start.
 */
export const DBL0 = -0;

const TIE_PRI = 17592186044416; // 2^44: seq stays below this (1.7e13 events)
const KIND_BITS = 4;
const KIND_MASK = (1 << KIND_BITS) - 1;
/** Buckets in the ring (a power of two). */
const RING = 4096;
/** Target events per bucket: small buckets keep the current heap at a few events. */

const PER_BUCKET = 2;
/** Below this many events the list is a plain heap. */
const MIN_RING = 16;
/** Pops (or empty buckets skipped) between two looks at the bucket width. */
const TUNE_EVERY = 4096;

/**
 * The event list: events ordered by (time, priority, seq) — seq is monotonic, so ties resolve
 * first-in first-out — in typed arrays, with no allocation per event once the arrays have grown.
 * Each event is a time, a tie-break (priority·2^44 + seq) and kind|payload packed in one int
 * (kind < 16, 0 ≤ payload < 2^27). The popped event is left in `time/kind/payload`.
 *
 * Two tiers (a calendar queue in front of a heap): time is cut into buckets of width Δ, bucket
 * j = floor((t − base)/Δ). Events of the current bucket `cur` or earlier sit in a small binary
 * heap; events of the next RING − 1 buckets in unsorted per-bucket lists (a ring of linked lists
 * in a node pool); later ones in an overflow heap. The bucket index is monotone in t, so every
 * event outside the current heap is later than every event in it: pops take the heap's top, and
 * when the heap runs dry the next non-empty bucket is moved into it. The order of pops is exactly
 * that of one heap over (time, tie). Δ follows the observed pop rate (about PER_BUCKET events a
 * bucket); a short list is a plain heap (cur = Infinity).
 */
export class EventList {
  // current tier: binary heap
  private ht: Float64Array;
  private hs: Float64Array;
  private hkp: Int32Array;
  private hn = 0;
  // ring of buckets: singly linked lists of nodes, -1 = empty
  private readonly head = new Int32Array(RING).fill(-1);
  // node k: time at nf[4k], tie at nf[4k + 1], kind|payload at ni[8k + 4], next node at ni[8k + 5]
  // (one 32-byte record: a list walk touches one cache line a node)
  private nf: Float64Array;
  private ni: Int32Array;
  private free = -1;
  // overflow (buckets cur + RING and later): binary heap, and the bucket of its top
  private ot: Float64Array = new Float64Array(64);
  private os: Float64Array = new Float64Array(64);
  private okp: Int32Array = new Int32Array(64);
  private on = 0;
  private overJ = Infinity;
  // bucket j = floor((t - base) * inv): j <= cur → heap, j < cur + RING → ring, else overflow
  private base = DBL0;
  private inv = DBL0;
  private cur = Infinity;
  private seq = 0;
  private pushT = DBL0;
  // width tuning: pops since the last look, the count that calls the next look (TUNE_EVERY less
  // the empty buckets skipped since the last), and the time then
  private pops = 0;
  private tuneAt = TUNE_EVERY;
  private tuneT0 = DBL0;
  /** Events in the list. */
  size = 0;
  /** Fields of the last popped event. */
  time = DBL0;
  kind = 0;
  payload = 0;

  /** An empty list with room for `capacity` events (it grows by doubling). */
  constructor(capacity = 1024) {
    capacity = Math.max(capacity, 2);
    this.ht = new Float64Array(capacity);
    this.hs = new Float64Array(capacity);
    this.hkp = new Int32Array(capacity);
    this.nf = new Float64Array(4 * capacity);
    this.ni = new Int32Array(this.nf.buffer);
    this.linkFree(0, capacity);
  }

  /** Adds an event at absolute `time`; lower `priority` goes first among equal times. */
  push(time: number, kind: number, payload: number, priority = 0): void {
    // kept small so that V8 inlines it at the call sites: only the common case (a later bucket in
    // the ring) is written out here
    const j = Math.floor((time - this.base) * this.inv);
    const cur = this.cur;
    const k = this.free;
    if (j > cur && j < cur + RING && k >= 0) {
      // prepend to the bucket's list
      const nf = this.nf;
      const ni = this.ni;
      const head = this.head;
      const k4 = 4 * k;
      const next = 2 * k4 + 5;
      this.free = ni[next];
      nf[k4] = time;
      nf[k4 + 1] = priority * TIE_PRI + this.seq++;
      ni[next - 1] = (payload << KIND_BITS) | kind;
      const slot = j & (RING - 1); // exact for j < 2^53 (ToInt32 is modulo 2^32)
      ni[next] = head[slot];
      head[slot] = k;
      this.size++;
    } else {
      // the time goes through a field: a double argument to a call that is not inlined would be
      // boxed, an allocation per event (a plain heap pushes every event this way)
      this.pushT = time;
      this.pushOther(kind, payload, priority);
    }
  }

  /** push() of the event at `pushT`: the current heap, a ring that must grow first, or the overflow. */
  private pushOther(kind: number, payload: number, priority: number): void {
    const time = this.pushT;
    const tie = priority * TIE_PRI + this.seq++;
    const x = (payload << KIND_BITS) | kind;
    this.size++;
    const j = Math.floor((time - this.base) * this.inv);
    if (!(j <= this.cur)) {
      if (j < this.cur + RING) this.rpush(j, time, tie, x);
      else this.opush(time, tie, x);
      return;
    }
    if (this.hn === this.ht.length) this.growHeap();
    siftUp(this.ht, this.hs, this.hkp, this.hn++, time, tie, x);
  }

  /** Time of the next event (Infinity when empty). */
  peekTime(): number {
    if (this.hn > 0) return this.ht[0];
    if (this.size === 0) return Infinity;
    this.refill();
    return this.ht[0];
  }

  /** Removes the next event into `time/kind/payload`; false when the list is empty. */
  pop(): boolean {
    if (this.hn === 0) {
      if (this.size === 0) return false;
      this.refill();
    }
    if (++this.pops >= this.tuneAt) this.tune();
    this.size--;
    const t = this.ht;
    const s = this.hs;
    const kp = this.hkp;
    this.time = t[0];
    const x = kp[0];
    this.kind = x & KIND_MASK;
    this.payload = x >>> KIND_BITS;
    const n = --this.hn;
    if (n === 0) {
      // refill now rather than at the next peek or pop: this branch is taken anyway, and the
      // next peek then finds the heap non-empty (a branch that is always taken)
      if (this.size > 0) this.refill();
      return true;
    }
    const lt = t[n];
    const ls = s[n];
    const lkp = kp[n];
    // Floyd's bottom-up deletion: move the hole down along the smaller children to a leaf with no
    // stop test (the child is picked without a branch unless two times tie), then sift the last
    // event up from there — fewer unpredictable branches; the order of pops is unchanged
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n) {
        const ct = t[c];
        const rt = t[r];
        let right = Number(rt < ct);
        if (rt === ct) right = Number(s[r] < s[c]);
        c += right;
      }
      t[i] = t[c];
      s[i] = s[c];
      kp[i] = kp[c];
      i = c;
    }
    siftUp(t, s, kp, i, lt, ls, lkp);
    return true;
  }

  /** Removes every event. */
  clear(): void {
    this.head.fill(-1);
    this.free = -1;
    this.linkFree(0, this.nf.length >> 2);
    this.hn = 0;
    this.on = 0;
    this.overJ = Infinity;
    this.inv = DBL0;
    this.cur = Infinity;
    this.size = 0;
  }

  // ---- current heap

  private growHeap(): void {
    const n = this.ht.length * 2;
    this.ht = grownF64(this.ht, n);
    this.hs = grownF64(this.hs, n);
    this.hkp = grownI32(this.hkp, n);
  }

  /** Adds an event to the current heap. */
  private hpush(time: number, tie: number, x: number): void {
    if (this.hn === this.ht.length) this.growHeap();
    siftUp(this.ht, this.hs, this.hkp, this.hn++, time, tie, x);
  }

  // ---- ring

  private linkFree(from: number, to: number): void {
    const ni = this.ni;
    for (let i = to - 1; i >= from; i--) {
      ni[8 * i + 5] = this.free;
      this.free = i;
    }
  }

  /** Doubles the node pool. */
  private growNodes(): void {
    const c = this.nf.length >> 2;
    this.nf = grownF64(this.nf, 8 * c);
    this.ni = new Int32Array(this.nf.buffer);
    this.linkFree(c, 2 * c);
  }

  /** Adds an event to the list of bucket j (cur < j < cur + RING); the rare paths. */
  private rpush(j: number, time: number, tie: number, x: number): void {
    if (this.free < 0) this.growNodes();
    const k = this.free;
    const ni = this.ni;
    this.free = ni[8 * k + 5];
    this.nf[4 * k] = time;
    this.nf[4 * k + 1] = tie;
    ni[8 * k + 4] = x;
    const slot = j & (RING - 1);
    ni[8 * k + 5] = this.head[slot];
    this.head[slot] = k;
  }

  /** The current heap is empty and the list is not: moves the next non-empty bucket into it. */
  private refill(): void {
    if (this.size === this.hn + this.on) {
      // only overflow events: jump to the bucket of the earliest
      const j = this.overJ;
      if (!(j < 1e15)) {
        // infinite times or a jump too far for the width: a plain heap until the next tuning
        this.inv = DBL0;
        this.cur = Infinity;
        while (this.on > 0) {
          this.hpush(this.ot[0], this.os[0], this.okp[0]);
          this.odrop();
        }
        return;
      }
      this.cur = j;
      this.pullOver();
      if (this.hn > 0) return;
    }
    const head = this.head;
    for (;;) {
      const c = ++this.cur;
      if (this.overJ < c + RING) this.pullOver();
      const slot = c & (RING - 1);
      let k = head[slot];
      if (k < 0) {
        this.tuneAt--; // a long run of empty buckets asks for a wider Δ soon
        continue;
      }
      head[slot] = -1;
      const nf = this.nf;
      const ni = this.ni;
      let t = this.ht;
      let s = this.hs;
      let kp = this.hkp;
      let f = this.free;
      // the first event needs no sift
      t[0] = nf[4 * k];
      s[0] = nf[4 * k + 1];
      kp[0] = ni[8 * k + 4];
      let n = 1;
      let next = ni[8 * k + 5];
      ni[8 * k + 5] = f;
      f = k;
      k = next;
      while (k >= 0) {
        if (n === t.length) {
          this.growHeap();
          t = this.ht;
          s = this.hs;
          kp = this.hkp;
        }
        siftUp(t, s, kp, n++, nf[4 * k], nf[4 * k + 1], ni[8 * k + 4]);
        next = ni[8 * k + 5];
        ni[8 * k + 5] = f;
        f = k;
        k = next;
      }
      this.hn = n;
      this.free = f;
      return;
    }
  }

  // ---- overflow heap

  private opush(time: number, tie: number, x: number): void {
    if (this.on === this.ot.length) {
      const n = this.on * 2;
      this.ot = grownF64(this.ot, n);
      this.os = grownF64(this.os, n);
      this.okp = grownI32(this.okp, n);
    }
    if (siftUp(this.ot, this.os, this.okp, this.on++, time, tie, x) === 0)
      this.overJ = Math.floor((time - this.base) * this.inv);
  }

  /** Drops the top of the overflow heap. */
  private odrop(): void {
    const t = this.ot;
    const s = this.os;
    const kp = this.okp;
    const n = --this.on;
    if (n === 0) {
      this.overJ = Infinity;
      return;
    }
    siftDown(t, s, kp, n, 0, t[n], s[n], kp[n]);
    this.overJ = Math.floor((t[0] - this.base) * this.inv);
  }

  /** Moves the overflow events of buckets before cur + RING into the ring (or the heap). */
  private pullOver(): void {
    const lim = this.cur + RING;
    while (this.overJ < lim) {
      const j = this.overJ;
      const t = this.ot[0];
      const s = this.os[0];
      const x = this.okp[0];
      this.odrop();
      if (j <= this.cur) this.hpush(t, s, x);
      else this.rpush(j, t, s, x);
    }
  }

  // ---- bucket width

  /** Every TUNE_EVERY pops: re-buckets when the pop rate asks for a width off by 2× or more. */
  private tune(): void {
    const now = this.ht[0];
    const span = now - this.tuneT0;
    const rate = this.pops / span;
    this.tuneAt = TUNE_EVERY;
    this.pops = 0;
    this.tuneT0 = now;
    let inv = DBL0;
    if (this.size >= MIN_RING && rate > 0 && rate < Infinity) inv = rate / PER_BUCKET;
    const old = this.inv;
    if (inv === 0 ? old === 0 : inv < 2 * old && inv > 0.5 * old) return;
    this.rebuild(inv);
  }

  /** Re-buckets every event with width 1/inv from the earliest one (inv = 0: all in the heap). */
  private rebuild(inv: number): void {
    // everything into the heap's arrays (not yet in heap order)
    const head = this.head;
    const ni = this.ni;
    if (this.size > this.hn + this.on)
      for (let b = 0; b < RING; b++) {
        let k = head[b];
        head[b] = -1;
        while (k >= 0) {
          this.happend(this.nf[4 * k], this.nf[4 * k + 1], ni[8 * k + 4]);
          const next = ni[8 * k + 5];
          ni[8 * k + 5] = this.free;
          this.free = k;
          k = next;
        }
      }
    for (let i = 0; i < this.on; i++) this.happend(this.ot[i], this.os[i], this.okp[i]);
    this.on = 0;
    this.overJ = Infinity;
    const t = this.ht;
    const s = this.hs;
    const kp = this.hkp;
    const n = this.hn;
    let base = Infinity;
    for (let i = 0; i < n; i++) if (t[i] < base) base = t[i];
    if (inv > 0 && base < Infinity) {
      this.base = base;
      this.inv = inv;
      this.cur = 0;
      // bucket 0 stays in the heap, the rest goes to the ring or the overflow
      let m = 0;
      for (let i = 0; i < n; i++) {
        const ti = t[i];
        const j = Math.floor((ti - base) * inv);
        if (j <= 0) {
          t[m] = ti;
          s[m] = s[i];
          kp[m] = kp[i];
          m++;
        } else if (j < RING) this.rpush(j, ti, s[i], kp[i]);
        else this.opush(ti, s[i], kp[i]);
      }
      this.hn = m;
    } else {
      this.inv = DBL0;
      this.cur = Infinity;
    }
    this.heapify();
  }

  private happend(time: number, tie: number, x: number): void {
    if (this.hn === this.ht.length) this.growHeap();
    const i = this.hn++;
    this.ht[i] = time;
    this.hs[i] = tie;
    this.hkp[i] = x;
  }

  /** Restores heap order over the whole current heap. */
  private heapify(): void {
    const t = this.ht;
    const s = this.hs;
    const kp = this.hkp;
    const n = this.hn;
    for (let p = (n >> 1) - 1; p >= 0; p--) siftDown(t, s, kp, n, p, t[p], s[p], kp[p]);
  }
}

/**
 * Puts (time, tie, x) into the hole at i of the heap in (t, s, kp), moving it up past later
 * parents; returns where it landed. Small enough for V8 to inline where it is called, so the
 * doubles are not boxed.
 */
function siftUp(
  t: Float64Array,
  s: Float64Array,
  kp: Int32Array,
  i: number,
  time: number,
  tie: number,
  x: number,
): number {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const pt = t[parent];
    if (pt < time || (pt === time && s[parent] < tie)) break;
    t[i] = pt;
    s[i] = s[parent];
    kp[i] = kp[parent];
    i = parent;
  }
  t[i] = time;
  s[i] = tie;
  kp[i] = x;
  return i;
}

/** Puts (vt, vs, vk) into the hole at i of the n-event heap in (t, s, kp), moving it down. */
function siftDown(
  t: Float64Array,
  s: Float64Array,
  kp: Int32Array,
  n: number,
  i: number,
  vt: number,
  vs: number,
  vk: number,
): void {
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && (t[c + 1] < t[c] || (t[c + 1] === t[c] && s[c + 1] < s[c]))) c++;
    if (vt < t[c] || (vt === t[c] && vs < s[c])) break;
    t[i] = t[c];
    s[i] = s[c];
    kp[i] = kp[c];
    i = c;
  }
  t[i] = vt;
  s[i] = vs;
  kp[i] = vk;
}

function grownF64(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

function grownI32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

/**
 * A FIFO of timers whose deadlines arrive in order (a constant timeout started at a non-decreasing
 * `now`): O(1) push and pop in a growable ring, which keeps thousands of pending client timeouts
 * out of the event heap. Cancelled timers stay queued and are recognised as stale when popped.
 */
export class TimerQueue {
  private t = new Float64Array(256);
  private s = new Int32Array(256);
  private id = new Int32Array(256);
  private head = 0;
  /** Timers queued. */
  size = 0;
  /** Fields of the last popped timer. */
  slot = 0;
  token = 0;

  /** Queues a timer; `time` must not be earlier than the last one queued. */
  push(time: number, slot: number, token: number): void {
    // the doubling is a method of its own: a small push is inlined into its callers
    if (this.size === this.t.length) this.grow();
    const x = (this.head + this.size) & (this.t.length - 1);
    this.t[x] = time;
    this.s[x] = slot;
    this.id[x] = token;
    this.size++;
  }

  /** Doubles the ring (it is full), the first timer moving to index 0. */
  private grow(): void {
    const cap = this.t.length;
    const t = new Float64Array(cap * 2);
    const s = new Int32Array(cap * 2);
    const id = new Int32Array(cap * 2);
    for (let k = 0; k < this.size; k++) {
      const x = (this.head + k) & (cap - 1);
      t[k] = this.t[x];
      s[k] = this.s[x];
      id[k] = this.id[x];
    }
    this.t = t;
    this.s = s;
    this.id = id;
    this.head = 0;
  }

  /** Deadline of the last timer queued (-Infinity when empty). */
  lastTime(): number {
    return this.size > 0 ? this.t[(this.head + this.size - 1) & (this.t.length - 1)] : -Infinity;
  }

  /** Deadline of the first timer (Infinity when empty). */
  peekTime(): number {
    return this.size > 0 ? this.t[this.head] : Infinity;
  }

  /** Slot of the first timer (the queue must not be empty). */
  headSlot(): number {
    return this.s[this.head];
  }

  /** Token of the first timer (the queue must not be empty). */
  headToken(): number {
    return this.id[this.head];
  }

  /** Removes the first timer into `slot`/`token` and returns its deadline. */
  pop(): number {
    const x = this.head;
    this.slot = this.s[x];
    this.token = this.id[x];
    this.head = (x + 1) & (this.t.length - 1);
    this.size--;
    return this.t[x];
  }
}
