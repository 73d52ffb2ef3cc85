// The workload, the layer above model/hosts.ts: open arrivals on a rate curve or closed-loop
// connections, each request's arrival at the gateway (`arrive`), and its fate (`outcome`).
//
// Semantics chosen here (the result's comments repeat what the numbers mean):
// - The fate counters (`requests`, `errors`) follow the cohort of requests ARRIVING in the
//   measured window: each ends ok, rejected (refused at the door: backlog full, or routed to a
//   down instance), failed after acceptance (pool/lock timeout, service full, async queue full,
//   instance crash while in flight), timed out (client gave up), or is still in flight at the end.
//   Rates and latencies (`throughput_rps`, `latency_ms`, CIs, series) count responses COMPLETING
//   in the measured window, whatever their arrival time (unbiased in steady state).
// - Closed workload: a connection sends its next request when the previous one resolves (ok,
//   error or client time-out), after its think time; a cycle lasts at least 10 µs (1 ms after an
//   instant error), so a program that takes no time cannot spin the loop at one instant.
//
// How it stays fast: open-workload arrivals and a closed workload's sends with a constant think
// time are an ordered stream beside the event list (`nextArrival`, the send ring), not in it; a
// closed loop without think time sends its next request from the response's own event (it is not
// an event of its own, so `events` does not count it).
import type { Scenario } from '../schema';
import { RateCurve } from '../arrivals';
import { Sampler } from '../dist';
import { TimerQueue } from '../engine';
import { traceArrivals, traceRatePoints } from '../trace';
import { Hosts } from './hosts';
import type { RunOptions } from './state';
import * as K from './state';

// the shared constants as module-local copies (state.ts says why)
const {
  MIN_CYCLE_OK,
  MIN_CYCLE_ERROR,
  BAL_HASH,
  C_BACKLOG,
  C_DOWN,
  EV_SEND,
  F_COHORT,
  O_FAILED,
  O_OK,
  O_REJECTED,
  PRI_MODEL,
} = K;

/** The workload: arrivals, closed-loop sends and each request's fate. */
export abstract class Workload extends Hosts {
  private readonly timeoutMs: number;
  protected readonly closed: boolean;
  private readonly conns: number;
  private readonly think: Sampler | null;
  private readonly poisson: boolean;
  private readonly curve: RateCurve | null;
  /** A trace of timestamps: the replayed arrival times (ms), and the next one's index. */
  private readonly replay: Float64Array | null = null;
  private replayAt = 0;
  /**
   * Time of the next open-workload arrival, or of the first send in the ring of a closed
   * workload (kept off the heap: one ordered stream, one candidate in the main loop).
   */
  protected nextArrival = Infinity;
  protected readonly sends = new TimerQueue();
  private readonly sendRing: boolean;
  /** Closed loop without think time: a response's connection sends again from finish(), at once. */
  protected sendAtOnce: boolean;
  /**
   * A load generator that times its own work (client.in_latency): per connection, when its next
   * request's latency starts (before the generator's CPU for it, after any think time).
   */
  private readonly connT0: Float64Array;

  constructor(s: Scenario, opts: RunOptions) {
    super(s, opts);
    const w = s.workload;
    this.timeoutMs = w.timeout_ms;
    this.closed = w.type === 'closed';
    if (w.type === 'closed') {
      this.conns = w.connections;
      this.think = w.think
        ? Sampler.of(w.think)
        : w.think_ms > 0
          ? Sampler.of({ dist: 'const', ms: w.think_ms })
          : null;
      this.poisson = false;
      this.curve = null;
      this.sendRing = this.think === null || this.think.isConst;
      this.sendAtOnce = this.think === null;
    } else if (w.type === 'trace') {
      this.conns = 0;
      this.think = null;
      if (w.rates === undefined && w.times_s === undefined)
        throw new Error(
          `workload: the trace${w.file ? ` "${w.file}"` : ''} was not read (no times_s or rates)`,
        );
      // a recording's rates: Poisson on that curve; timestamps: replayed as they are
      this.poisson = true;
      this.curve = w.rates ? new RateCurve(traceRatePoints(w)) : null;
      this.replay = w.rates ? null : traceArrivals(w, this.endMs, this.rArr);
      this.sendRing = false;
      this.sendAtOnce = false;
    } else {
      this.conns = 0;
      this.think = null;
      this.poisson = w.arrivals === 'poisson';
      this.curve = new RateCurve(w.rate_rps);
      this.sendRing = false;
      this.sendAtOnce = false;
    }
    if (this.clientCpu !== null) this.sendAtOnce = false;
    this.connT0 = new Float64Array(this.clientTimed && this.closed ? this.conns : 0);
  }

  /** The workload's first events: every connection's first send, or the first arrival. */
  protected startWorkload(): void {
    if (this.closed) {
      for (let c = 0; c < this.conns; c++) {
        const t = this.think ? this.think.sample(this.rThink) : 0;
        if (this.connT0.length > 0) this.connT0[c] = t;
        this.scheduleSend(t, c);
      }
    } else {
      this.scheduleArrival();
    }
  }

  /** The open workload's next arrival: `nextArrival` (Infinity past the end of the run). */
  protected scheduleArrival(): void {
    if (this.replay !== null) {
      const k = this.replayAt++;
      this.nextArrival = k < this.replay.length ? this.replay[k] : Infinity;
      return;
    }
    const curve = this.curve!;
    const d = this.poisson ? this.rArr.exp1() : 1;
    const t = curve.next(d);
    this.nextArrival = t < this.endMs ? t : Infinity;
  }

  /**
   * A request arrives (from connection `conn`, or −1 for an open workload): routed to an instance,
   * refused at the door, or given a handler or a place in the backlog.
   */
  protected arrive(conn: number): void {
    const now = this.now;
    const cohort = now >= this.warmMs;
    if (cohort) {
      this.cArrived++;
      this.wArrivals++;
    }
    this.winArr++;
    this.allArrivals++;
    this.inFlight++;
    // keys are drawn lazily (most requests never need the item key); the hash balancer needs one now
    let user = -1;
    let item = -1;
    if (this.balancer === BAL_HASH) {
      if (this.hashUser) user = this.userZipf.sample(this.rKeys) - 1;
      else item = this.itemZipf.sample(this.rKeys) - 1;
    }
    const i = this.I === 1 ? 0 : this.route(user, item);
    if (this.down[i] !== 0) {
      this.noteFailure(i);
      this.outcome(cohort, now, conn, O_REJECTED, C_DOWN);
      return;
    }
    const busy = this.stBusy[i];
    if (busy >= this.conc && this.qLen[i] >= this.backlogCap) {
      this.outcome(cohort, now, conn, O_REJECTED, C_BACKLOG);
      return;
    }
    const j = this.alloc();
    this.jFlags[j] = cohort ? F_COHORT : 0;
    this.jInst[j] = i;
    this.jUser[j] = user;
    this.jItem[j] = item;
    this.jT0[j] = conn >= 0 && this.connT0.length > 0 ? this.connT0[conn] : now;
    this.jConn[j] = conn;
    if (this.timeoutMs > 0) this.arm(this.clientTimers, now + this.timeoutMs, j, this.jId[j]);
    if (busy < this.conc) {
      this.grab(i);
      this.setActive(i, this.active[i] + 1);
      this.start(j, i);
    } else {
      this.qPush(i, j);
    }
  }

  /** Records a request's fate; for a closed workload, schedules its connection's next send. */
  protected override outcome(
    cohort: boolean,
    t0: number,
    conn: number,
    kind: number,
    cause: number,
  ): void {
    const now = this.now;
    this.inFlight--;
    if (kind === O_OK) {
      if (cohort) this.cOk++;
      const lat = now - t0;
      if (now >= this.warmMs) {
        this.batchOk++;
        this.batchLatSum += lat;
        this.batchHist.record(lat);
        if (this.sloOn) {
          this.sloOk++;
          this.sloHist.record(lat);
        }
      }
      if (this.series) {
        this.winOk++;
        this.winHist.record(lat);
      }
    } else this.countError(cohort, kind, cause);
    if (conn >= 0) {
      let d = this.think !== null ? this.think.sample(this.rThink) : 0;
      const minCycle = kind === O_OK ? MIN_CYCLE_OK : MIN_CYCLE_ERROR;
      if (now - t0 + d < minCycle) d = minCycle - (now - t0);
      if (this.clientCpu !== null) {
        // the generator works, then thinks: a timed request starts after the think, before the work
        if (this.connT0.length > 0) this.connT0[conn] = now + d;
        this.clientBurst(conn, d);
      } else this.scheduleSend(now + d, conn);
    }
  }

  /** outcome's counting of an error (a method of its own: outcome stays small to inline). */
  private countError(cohort: boolean, kind: number, cause: number): void {
    if (cohort) {
      this.cErr[cause]++;
      if (kind === O_REJECTED) this.cRejected++;
      else if (kind === O_FAILED) this.cFailed++;
      else this.cTimedOut++;
    }
    if (this.now >= this.warmMs) {
      this.wErr++;
      if (this.sloOn) this.sloErrors++;
    }
    this.winErr++;
  }

  /**
   * A connection's next send. With a constant think time sends come due in the order they are
   * scheduled, so they queue in a ring beside the heap (the ring's head is `nextArrival`); the rare
   * one that would jump the queue (the minimum-cycle floor) goes to the heap.
   */
  protected override scheduleSend(t: number, conn: number): void {
    const ring = this.sends;
    if (this.sendRing && (ring.size === 0 || t >= ring.lastTime())) {
      ring.push(t, conn, 0);
      if (ring.size === 1) this.nextArrival = t;
    } else {
      this.ev.push(t, EV_SEND, conn, PRI_MODEL);
    }
  }
}
