// A machine whose cores are shared by processor sharing, with an optional load-dependent slowdown
// (the Universal Scalability Law): with n jobs running, each progresses at
//   min(1, cores / (n + background)) / (1 + h(k−1)) / (1 + σ(n−1) + κ·n(n−1))
// of a core, where k = min(cores, n + background) cores are busy and h is how much busy cores
// slow each other (from the host's core_speedup; 0 by default). Kept by virtual time: V advances
// at that rate, a job that starts at V₀ with demand d ends when V reaches V₀ + d, so the next
// departure is the smallest virtual finish — a binary heap of virtual finish times, O(log n) per
// start or end and no rescans.
//
// Waking an idle core (optional): on a virtual machine an idle vCPU halts, and a job woken onto it
// waits while the hypervisor runs that vCPU again. A job that starts while other jobs run and a
// core is free, that core idle longer than `wakeAfter` ms, waits `wakeMs` before it runs (`defer`);
// a job that starts on an idle machine runs on its waker's core at once. The cores are used last
// idle, first busy, so the free core with n jobs running went idle when n last fell to n (`fell`).
// Deferred jobs wait in a FIFO, engine.ts's TimerQueue (they all wait the same time, so it stays
// in order of start). Pure: no Node, DOM or model imports (the model drives it with its job slots).
import { TimerQueue } from './engine';

/** The wait of every machine without `wakeMs` (never pushed to). */
const NO_WAKES = new TimerQueue();

export class PsMachine {
  /** Virtual finish times and the job slots they belong to (a binary min-heap). */
  private key = new Float64Array(16);
  private job = new Int32Array(16);
  /** Jobs running on the machine. */
  n = 0;
  /**
   * When ≥ 0, the USL's n is this (the connections open on the machine, set by the model) instead
   * of the running jobs; −1: the running jobs.
   */
  private conns = -1;
  /** Virtual time at real time `t`. */
  private v = 0;
  private t = 0;

  constructor(
    readonly cores: number,
    readonly sigma = 0,
    readonly kappa = 0,
    /** Threads of other work that always want a core. */
    readonly background = 0,
    /** All cores together do this many times the work of one (default: cores). */
    speedup = cores,
    /** Waking a core idle longer than `wakeAfter` ms takes this long (0: at once). */
    readonly wakeMs = 0,
    readonly wakeAfter = 0,
    /** Extra CPU a stint spends when it starts on a machine that sat idle (0: none). */
    readonly coldMs = 0,
  ) {
    this.h = cores > 1 && speedup < cores ? (cores / speedup - 1) / (cores - 1) : 0;
    this.fell = new Float64Array(cores).fill(-Infinity);
    // a machine whose cores wake at once never defers: it shares one empty queue
    this.waking = wakeMs > 0 ? new TimerQueue() : NO_WAKES;
  }

  /** When the running jobs last fell to k (k < cores): when the k-th core went idle. */
  private readonly fell: Float64Array;
  /** Jobs waiting for their core to wake, in the order they start (they all wait the same). */
  private readonly waking: TimerQueue;

  /** Jobs waiting for a core to wake. */
  get deferred(): number {
    return this.waking.size;
  }

  /**
   * How long a job starting now waits for its core to wake: `wakeMs` when jobs run (or wait to)
   * and a core is free that has been idle longer than `wakeAfter`, else 0.
   */
  wakeDelay(now: number): number {
    const k = this.n + this.waking.size;
    if (k === 0 || k + this.background >= this.cores) return 0;
    return now - this.fell[this.n] > this.wakeAfter ? this.wakeMs : 0;
  }

  /**
   * The extra CPU of a stint starting now: `coldMs` when none of the machine's jobs runs or waits
   * for a core and the machine has been idle for some time (since its last job ended), else 0. A
   * stint woken straight by the one before it (which ended this instant) starts warm.
   */
  coldExtra(now: number): number {
    return this.n + this.waking.size === 0 && now > this.fell[0] ? this.coldMs : 0;
  }

  /** Job `j` will start its CPU at real time `at`, once its core is awake (see `admit`). */
  defer(at: number, j: number): void {
    this.waking.push(at, j, 0);
  }

  /**
   * If a deferred job's core is awake at `now`, takes it off the wait and returns its slot (the
   * caller adds it with its demand); else −1.
   */
  admit(now: number): number {
    if (this.waking.peekTime() > now) return -1;
    this.waking.pop();
    return this.waking.slot;
  }

  /** With k cores busy, each runs at 1 / (1 + h(k − 1)) of a lone core's speed (0: no slowdown). */
  private readonly h: number;

  /** The rate (of one core) at which each of n running jobs progresses. */
  rate(n: number): number {
    if (n <= 0) return 1;
    const want = n + this.background;
    let share = want > this.cores ? this.cores / want : 1;
    if (this.h > 0 && want > 1) share /= 1 + this.h * ((want > this.cores ? this.cores : want) - 1);
    const u = this.conns < 0 ? n : this.conns > 1 ? this.conns : 1;
    return share / (1 + this.sigma * (u - 1) + this.kappa * u * (u - 1));
  }

  /** From real time `now` on, the USL's n is `c` connections (≥ 0) instead of the running jobs. */
  setConnections(now: number, c: number): void {
    this.advance(now);
    this.conns = c;
  }

  /** Cores the model's jobs hold now: n × their share (what the host station counts as busy). */
  busyCores(): number {
    const n = this.n;
    if (n === 0) return 0;
    const want = n + this.background;
    return want > this.cores ? (n * this.cores) / want : n;
  }

  private advance(now: number): void {
    if (this.n > 0) this.v += (now - this.t) * this.rate(this.n);
    this.t = now;
  }

  /** Job `j` starts `demand` ms of CPU work at real time `now`. */
  add(now: number, j: number, demand: number): void {
    this.advance(now);
    if (this.n === this.key.length) this.grow();
    // sift up
    const f = this.v + demand;
    const key = this.key;
    const job = this.job;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (key[p] <= f) break;
      key[i] = key[p];
      job[i] = job[p];
      i = p;
    }
    key[i] = f;
    job[i] = j;
  }

  /** Removes the job that finishes first (at real time `now`, its finish) and returns its slot. */
  pop(now: number): number {
    this.advance(now);
    const key = this.key;
    const job = this.job;
    const top = job[0];
    const n = --this.n;
    if (n < this.cores) this.fell[n] = now;
    if (n > 0) {
      const f = key[n];
      const x = job[n];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && key[c + 1] < key[c]) c++;
        if (key[c] >= f) break;
        key[i] = key[c];
        job[i] = job[c];
        i = c;
      }
      key[i] = f;
      job[i] = x;
    }
    return top;
  }

  /** Real time of the next departure or deferred start if nothing else changes (Infinity: none). */
  nextTime(): number {
    const w = this.waking.peekTime();
    if (this.n === 0) return w;
    const left = this.key[0] - this.v;
    const t = left > 0 ? this.t + left / this.rate(this.n) : this.t;
    return w < t ? w : t;
  }

  private grow(): void {
    const key = new Float64Array(2 * this.key.length);
    key.set(this.key);
    const job = new Int32Array(2 * this.job.length);
    job.set(this.job);
    this.key = key;
    this.job = job;
  }
}
