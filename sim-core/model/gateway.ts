// The gateway, the layer above model/stations.ts: the balancer that routes each arrival to an
// instance (round robin, least_conn by bit sets of loads, random, hash of a key), passive health
// checks (max_fails failures eject an instance for fail_timeout), instance faults, and the
// per-instance list of running requests that a crash needs.
//
// Semantics chosen here:
// - Instance crash: requests in its backlog and handlers fail at once with instance_down and its
//   handlers are free when it comes back; shared resources a crashed request holds (a DB query on
//   a shard, a lock) are given back when its current step ends. Async tasks already queued on a
//   crashed instance keep running (the queue is treated as durable).
import type { Scenario } from '../schema';
import { DBL0 } from '../engine';
import { Stations } from './stations';
import type { RunOptions } from './state';
import * as K from './state';

// the shared constants as module-local copies (state.ts says why)
const {
  BAL_HASH,
  BAL_LEAST,
  BAL_RANDOM,
  BAL_RR,
  C_DOWN,
  EV_DOWN,
  EV_UP,
  F_COHORT,
  F_DEAD,
  F_DONE,
  F_NOHANDLER,
  O_FAILED,
  PRI_CONTROL,
} = K;

/** The gateway: balancer, ejection, faults and run lists, per instance. */
export abstract class Gateway extends Stations {
  protected readonly balancer: number;
  protected readonly hashUser: boolean;
  private readonly maxFails: number;
  private readonly failTimeout: number;

  // ---- per instance
  protected readonly down: Uint8Array;
  protected readonly fails: Int32Array;
  private readonly ejectedUntil: Float64Array;
  private readonly runHead: Int32Array;
  /**
   * least_conn over several instances: which instances have each load, as bit sets of `lcW`
   * 32-bit words per load level, how many have it, and the smallest load — so picking the least
   * loaded instance is a bit scan instead of a pass over every instance.
   */
  private readonly lc: boolean;
  private readonly lcW: number;
  private readonly lcMask: Int32Array;
  private readonly lcCount: Int32Array;
  private lcMin = 0;
  /** Keep the per-instance list of running requests (only needed when instances can crash). */
  protected readonly track: boolean;
  private rr = 0;
  /** Latest ejection deadline: once past it, no instance is ejected (the balancer's fast path). */
  private ejectMax = DBL0;

  constructor(s: Scenario, opts: RunOptions) {
    super(s, opts);
    const I = this.I;
    const g = s.gateway;
    this.balancer = {
      round_robin: BAL_RR,
      least_conn: BAL_LEAST,
      random: BAL_RANDOM,
      hash: BAL_HASH,
    }[g.balancer];
    this.hashUser = g.hash_key === 'user';
    this.maxFails = g.max_fails;
    this.failTimeout = g.fail_timeout_s * 1000;
    this.down = new Uint8Array(I);
    this.fails = new Int32Array(I);
    this.ejectedUntil = new Float64Array(I);
    this.runHead = new Int32Array(I).fill(-1);
    this.lc = this.balancer === BAL_LEAST && I > 1;
    this.lcW = (I + 31) >> 5;
    // active ≤ concurrency + backlog (arrivals beyond are refused)
    const levels = this.lc ? this.conc + this.backlogCap + 2 : 0;
    this.lcMask = new Int32Array(levels * this.lcW);
    this.lcCount = new Int32Array(levels);
    if (this.lc) {
      for (let i = 0; i < I; i++) this.lcMask[i >> 5] |= 1 << (i & 31);
      this.lcCount[0] = I;
    }
    this.track = g.faults.length > 0;
    this.scaled = s.server.autoscale !== undefined;
    this.off = new Uint8Array(I);
  }

  /**
   * route() of an autoscaled server: the same balancers over the serving instances only (a
   * linear pass: autoscaled servers have tens of instances, not thousands); `hash` spreads keys
   * over the serving ones in index order, so a scale step moves some keys, as with nginx.
   */
  private routeServing(user: number, item: number): number {
    const I = this.I;
    const now = this.now;
    const ej = this.ejectedUntil;
    const off = this.off;
    let first = -1;
    switch (this.balancer) {
      case BAL_RR: {
        for (let k = 0; k < I; k++) {
          const i = this.rr;
          this.rr = this.rr + 1 === I ? 0 : this.rr + 1;
          if (off[i] !== 0) continue;
          if (ej[i] <= now) return i;
          if (first < 0) first = i;
        }
        return first;
      }
      case BAL_LEAST: {
        const start = this.rr;
        this.rr = this.rr + 1 === I ? 0 : this.rr + 1;
        let best = -1;
        let bestLoad = Infinity;
        for (let k = 0; k < I; k++) {
          const x = start + k < I ? start + k : start + k - I;
          if (off[x] !== 0) continue;
          if (first < 0) first = x;
          if (ej[x] > now) continue;
          if (this.active[x] < bestLoad) {
            bestLoad = this.active[x];
            best = x;
          }
        }
        return best >= 0 ? best : first;
      }
      default: {
        let n = 0;
        for (let i = 0; i < I; i++) if (off[i] === 0) n++;
        let pick: number;
        if (this.balancer === BAL_RANDOM) pick = Math.floor(this.rRoute.float() * n);
        else {
          let h = this.hashUser ? user : item;
          h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
          h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
          pick = ((h ^ (h >>> 16)) >>> 0) % n;
        }
        // the pick-th serving instance, or the next one in order that is not ejected
        for (let i = 0; i < I; i++) {
          if (off[i] !== 0) continue;
          if (pick-- === 0) first = i;
          if (first >= 0 && ej[i] <= now) return i;
        }
        for (let i = 0; i < I; i++) if (off[i] === 0 && ej[i] <= now) return i;
        return first;
      }
    }
  }

  /** The instance faults: each one's EV_DOWN and EV_UP. */
  protected startFaults(faults: Scenario['gateway']['faults']): void {
    for (const f of faults) {
      this.ev.push(f.down_s * 1000, EV_DOWN, f.instance, PRI_CONTROL);
      this.ev.push(f.up_s * 1000, EV_UP, f.instance, PRI_CONTROL);
    }
  }

  /** Sets instance i's active count (keeping least_conn's load sets current). */
  protected override setActive(i: number, v: number): void {
    const old = this.active[i];
    this.active[i] = v;
    if (this.lc && old !== v) this.lcMove(i, old, v);
  }

  /**
   * least_conn: instance i's load goes from `old` to `v` (a method of its own, so that setActive
   * stays small enough for V8 to inline at its callers).
   */
  private lcMove(i: number, old: number, v: number): void {
    const W = this.lcW;
    const mask = this.lcMask;
    const cnt = this.lcCount;
    const w = i >> 5;
    const bit = 1 << (i & 31);
    mask[old * W + w] &= ~bit;
    mask[v * W + w] |= bit;
    cnt[old]--;
    cnt[v]++;
    if (v < this.lcMin) this.lcMin = v;
    else if (old === this.lcMin && cnt[old] === 0) {
      let l = old + 1;
      while (cnt[l] === 0) l++;
      this.lcMin = l;
    }
  }

  /** Request j runs on instance i (its list is kept only when instances can crash). */
  protected runAdd(i: number, j: number): void {
    const h = this.runHead[i];
    this.rPrev[j] = -1;
    this.rNext[j] = h;
    if (h >= 0) this.rPrev[h] = j;
    this.runHead[i] = j;
  }

  /** Request j no longer runs on instance i. */
  protected runRemove(i: number, j: number): void {
    const p = this.rPrev[j];
    const n = this.rNext[j];
    if (p >= 0) this.rNext[p] = n;
    else this.runHead[i] = n;
    if (n >= 0) this.rPrev[n] = p;
  }

  /**
   * Autoscaled (scaler.ts): 1 for an instance that takes no new work (provisioning, draining or
   * not running); the balancer picks among the others only.
   */
  protected readonly off: Uint8Array;
  protected readonly scaled: boolean;

  /** The instance an arrival goes to (skipping ejected instances while there is another). */
  protected route(user: number, item: number): number {
    if (this.scaled) return this.routeServing(user, item);
    const I = this.I;
    const now = this.now;
    const ej = this.ejectedUntil;
    let i = 0;
    switch (this.balancer) {
      case BAL_RR: {
        for (let k = 0; k < I; k++) {
          i = this.rr;
          this.rr = this.rr + 1 === I ? 0 : this.rr + 1;
          if (ej[i] <= now) return i;
        }
        return i;
      }
      case BAL_LEAST: {
        // fewest active requests (in handlers + backlog), ties to the round-robin position
        const start = this.rr;
        this.rr = this.rr + 1 === I ? 0 : this.rr + 1;
        const active = this.active;
        if (this.ejectMax <= now) {
          // the first instance, in cyclic order from start, with the smallest load
          const W = this.lcW;
          const base = this.lcMin * W;
          const mask = this.lcMask;
          const w0 = start >> 5;
          let m = mask[base + w0] & (-1 << (start & 31));
          if (m !== 0) return (w0 << 5) + ctz(m);
          for (let w = w0 + 1; w < W; w++) {
            m = mask[base + w];
            if (m !== 0) return (w << 5) + ctz(m);
          }
          for (let w = 0; w <= w0; w++) {
            m = mask[base + w];
            if (m !== 0) return (w << 5) + ctz(m);
          }
          return start; // unreachable: some instance has the smallest load
        }
        let best = -1;
        let bestLoad = Infinity;
        for (let k = 0; k < I; k++) {
          const x = start + k < I ? start + k : start + k - I;
          if (ej[x] > now) continue;
          const load = active[x];
          if (load < bestLoad) {
            bestLoad = load;
            best = x;
          }
        }
        return best >= 0 ? best : start;
      }
      case BAL_RANDOM:
        i = Math.floor(this.rRoute.float() * I);
        break;
      default: {
        let h = this.hashUser ? user : item;
        h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
        h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
        i = ((h ^ (h >>> 16)) >>> 0) % I;
      }
    }
    for (let k = 0; k < I; k++) {
      const x = i + k < I ? i + k : i + k - I;
      if (ej[x] <= now) return x;
    }
    return i;
  }

  /** A request failed on instance i: after max_fails in a row it is ejected for fail_timeout. */
  protected noteFailure(i: number): void {
    if (this.maxFails <= 0) return;
    if (++this.fails[i] >= this.maxFails) {
      this.ejectedUntil[i] = this.now + this.failTimeout;
      if (this.ejectedUntil[i] > this.ejectMax) this.ejectMax = this.ejectedUntil[i];
      this.fails[i] = 0;
    }
  }

  /** Instance i crashes (EV_DOWN; EV_UP brings it back): see the crash semantics above. */
  protected instanceDown(i: number): void {
    if (this.down[i] !== 0) return;
    this.down[i] = 1;
    while (this.qLen[i] > 0) {
      const j = this.qPop(i);
      const fl = this.jFlags[j];
      this.jFlags[j] = fl | F_DONE | F_DEAD;
      if ((fl & F_DONE) === 0)
        this.outcome((fl & F_COHORT) !== 0, this.jT0[j], this.jConn[j], O_FAILED, C_DOWN);
      this.free(j);
    }
    let j = this.runHead[i];
    this.runHead[i] = -1;
    while (j >= 0) {
      const next = this.rNext[j];
      const fl = this.jFlags[j];
      this.jFlags[j] = fl | F_DONE | F_DEAD | F_NOHANDLER;
      if ((fl & F_DONE) === 0)
        this.outcome((fl & F_COHORT) !== 0, this.jT0[j], this.jConn[j], O_FAILED, C_DOWN);
      if (this.jQ[j] !== -1) {
        this.cancelWait(j);
        this.unwind(j, this.jPc[j]);
        this.free(j);
      }
      j = next;
    }
    this.stSumB[i] += this.stBusy[i] * this.now;
    this.stBusy[i] = 0;
    this.setActive(i, 0);
  }
}

/** Index of the lowest set bit of a non-zero 32-bit value. */
function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}
