// The discrete-event engine: an event list on a typed-array binary heap ordered by
// (time, priority, seq) — seq is monotonic, so ties resolve first-in first-out and runs are
// deterministic — with events as plain columns (time, kind, payload, aux) and no allocation per
// event once the arrays have grown. `Environment` wraps it in SimPy's vocabulary (now, schedule,
// peek, step, run until); the pipeline model drives the heap directly in its own switch loop.

const TIE_PRI = 17592186044416; // 2^44: seq stays below this (1.7e13 events)

/** A min-heap of events in typed arrays. The popped event is left in `time/kind/payload/aux`. */
export class EventList {
  private t: Float64Array;
  private s: Float64Array;
  private k: Int32Array;
  private p: Int32Array;
  private a: Int32Array;
  private seq = 0;
  /** Events in the list. */
  size = 0;
  /** Fields of the last popped event. */
  time = 0;
  kind = 0;
  payload = 0;
  aux = 0;

  /** An empty list with room for `capacity` events (it grows by doubling). */
  constructor(capacity = 1024) {
    this.t = new Float64Array(capacity);
    this.s = new Float64Array(capacity);
    this.k = new Int32Array(capacity);
    this.p = new Int32Array(capacity);
    this.a = new Int32Array(capacity);
  }

  private grow(): void {
    const n = this.t.length * 2;
    const t = new Float64Array(n);
    t.set(this.t);
    this.t = t;
    const s = new Float64Array(n);
    s.set(this.s);
    this.s = s;
    const k = new Int32Array(n);
    k.set(this.k);
    this.k = k;
    const p = new Int32Array(n);
    p.set(this.p);
    this.p = p;
    const a = new Int32Array(n);
    a.set(this.a);
    this.a = a;
  }

  /** Adds an event at absolute `time`; lower `priority` goes first among equal times. */
  push(time: number, kind: number, payload: number, aux: number, priority: number): void {
    if (this.size === this.t.length) this.grow();
    const t = this.t;
    const s = this.s;
    const tie = priority * TIE_PRI + this.seq++;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = t[parent];
      if (pt < time || (pt === time && s[parent] < tie)) break;
      t[i] = pt;
      s[i] = s[parent];
      this.k[i] = this.k[parent];
      this.p[i] = this.p[parent];
      this.a[i] = this.a[parent];
      i = parent;
    }
    t[i] = time;
    s[i] = tie;
    this.k[i] = kind;
    this.p[i] = payload;
    this.a[i] = aux;
  }

  /** Time of the next event (Infinity when empty). */
  peekTime(): number {
    return this.size > 0 ? this.t[0] : Infinity;
  }

  /** Removes the next event into `time/kind/payload/aux`; false when the list is empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    const t = this.t;
    const s = this.s;
    const k = this.k;
    const p = this.p;
    const a = this.a;
    this.time = t[0];
    this.kind = k[0];
    this.payload = p[0];
    this.aux = a[0];
    const n = --this.size;
    if (n === 0) return true;
    const lt = t[n];
    const ls = s[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ct = t[c];
      let cs = s[c];
      const r = c + 1;
      if (r < n) {
        const rt = t[r];
        if (rt < ct || (rt === ct && s[r] < cs)) {
          c = r;
          ct = rt;
          cs = s[r];
        }
      }
      if (lt < ct || (lt === ct && ls < cs)) break;
      t[i] = ct;
      s[i] = cs;
      k[i] = k[c];
      p[i] = p[c];
      a[i] = a[c];
      i = c;
    }
    t[i] = lt;
    s[i] = ls;
    k[i] = k[n];
    p[i] = p[n];
    a[i] = a[n];
    return true;
  }

  /** Removes every event. */
  clear(): void {
    this.size = 0;
  }
}

/** Handles one event: (environment, kind, payload, aux). */
export type EventHandler = (env: Environment, kind: number, payload: number, aux: number) => void;

/** SimPy-like environment over an `EventList`: simulated time `now` in the caller's unit. */
export class Environment {
  readonly events: EventList;
  /** Current simulated time. */
  now = 0;
  /** Events processed so far. */
  processed = 0;

  /** An environment whose events are handled by `handler`. */
  constructor(
    private readonly handler: EventHandler,
    capacity = 1024,
  ) {
    this.events = new EventList(capacity);
  }

  /** Schedules an event `delay` after now (delay ≥ 0). */
  schedule(delay: number, kind: number, payload = 0, aux = 0, priority = 0): void {
    this.events.push(this.now + delay, kind, payload, aux, priority);
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
    this.handler(this, ev.kind, ev.payload, ev.aux);
    return true;
  }

  /** Processes events up to and including time `until` (or until none are left); now ends at `until`. */
  run(until = Infinity): void {
    const ev = this.events;
    while (ev.size > 0 && ev.peekTime() <= until) this.step();
    if (until !== Infinity && this.now < until) this.now = until;
  }
}
