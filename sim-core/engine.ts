// The discrete-event engine: an event list on a typed-array binary heap ordered by
// (time, priority, seq) — seq is monotonic, so ties resolve first-in first-out and runs are
// deterministic — with events as plain columns (time, tie, kind|payload) and no allocation per
// event once the arrays have grown. `Environment` wraps it in SimPy's vocabulary (now, schedule,
// peek, step, run until); the pipeline model drives the heap directly in its own switch loop.
// Constant timeouts (client, pool, lock) go to FIFO `TimerQueue`s instead of the heap.

/**
 * Zero as a double: V8 stores a field first set to a small integer as one, and the first fraction
 * then changes the object's shape and throws optimised code away. Fields that hold times or sums
 * start at -0 (equal to 0 in every comparison and sum) so they are doubles from the start.
 */
export const DBL0 = -0;

const TIE_PRI = 17592186044416; // 2^44: seq stays below this (1.7e13 events)
const KIND_BITS = 4;
const KIND_MASK = (1 << KIND_BITS) - 1;

/**
 * A min-heap of events in typed arrays: time, tie-break (priority·2^44 + seq) and kind|payload
 * packed in one int (kind < 16, 0 ≤ payload < 2^27). The popped event is left in
 * `time/kind/payload`.
 */
export class EventList {
  private t: Float64Array;
  private s: Float64Array;
  private kp: Int32Array;
  private seq = 0;
  /** Events in the list. */
  size = 0;
  /** Fields of the last popped event. */
  time = DBL0;
  kind = 0;
  payload = 0;

  /** An empty list with room for `capacity` events (it grows by doubling). */
  constructor(capacity = 1024) {
    this.t = new Float64Array(capacity);
    this.s = new Float64Array(capacity);
    this.kp = new Int32Array(capacity);
  }

  private grow(): void {
    const n = this.t.length * 2;
    const t = new Float64Array(n);
    t.set(this.t);
    this.t = t;
    const s = new Float64Array(n);
    s.set(this.s);
    this.s = s;
    const kp = new Int32Array(n);
    kp.set(this.kp);
    this.kp = kp;
  }

  /** Adds an event at absolute `time`; lower `priority` goes first among equal times. */
  push(time: number, kind: number, payload: number, priority = 0): void {
    if (this.size === this.t.length) this.grow();
    const t = this.t;
    const s = this.s;
    const kp = this.kp;
    const tie = priority * TIE_PRI + this.seq++;
    let i = this.size++;
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
    kp[i] = (payload << KIND_BITS) | kind;
  }

  /** Time of the next event (Infinity when empty). */
  peekTime(): number {
    return this.size > 0 ? this.t[0] : Infinity;
  }

  /** Removes the next event into `time/kind/payload`; false when the list is empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    const t = this.t;
    const s = this.s;
    const kp = this.kp;
    this.time = t[0];
    const x = kp[0];
    this.kind = x & KIND_MASK;
    this.payload = x >>> KIND_BITS;
    const n = --this.size;
    if (n === 0) return true;
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
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = t[parent];
      if (pt < lt || (pt === lt && s[parent] < ls)) break;
      t[i] = pt;
      s[i] = s[parent];
      kp[i] = kp[parent];
      i = parent;
    }
    t[i] = lt;
    s[i] = ls;
    kp[i] = lkp;
    return true;
  }

  /** Removes every event. */
  clear(): void {
    this.size = 0;
  }
}

/** Handles one event: (environment, kind, payload). */
export type EventHandler = (env: Environment, kind: number, payload: number) => void;

/** SimPy-like environment over an `EventList`: simulated time `now` in the caller's unit. */
export class Environment {
  readonly events: EventList;
  /** Current simulated time. */
  now = DBL0;
  /** Events processed so far. */
  processed = 0;

  /** An environment whose events are handled by `handler`. */
  constructor(
    private readonly handler: EventHandler,
    capacity = 1024,
  ) {
    this.events = new EventList(capacity);
  }

  /** Schedules an event `delay` after now (delay ≥ 0; kind < 16, 0 ≤ payload < 2^27). */
  schedule(delay: number, kind: number, payload = 0, priority = 0): void {
    this.events.push(this.now + delay, kind, payload, priority);
  }

  /** Time of the next event, or Infinity. */
  peek(): number {
    return this.events.peekTime();
  }

  /** Processes the next event; false when there is none. */
  step(): boolean {
    const ev = this.events;
    if (!ev.pop()) return false;
    this.now = ev.time;
    this.processed++;
    this.handler(this, ev.kind, ev.payload);
    return true;
  }

  /** Processes events up to and including time `until` (or until none are left); now ends at `until`. */
  run(until = Infinity): void {
    const ev = this.events;
    while (ev.size > 0 && ev.peekTime() <= until) this.step();
    if (until !== Infinity && this.now < until) this.now = until;
  }
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
    let cap = this.t.length;
    if (this.size === cap) {
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
      cap *= 2;
    }
    const x = (this.head + this.size) & (cap - 1);
    this.t[x] = time;
    this.s[x] = slot;
    this.id[x] = token;
    this.size++;
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
