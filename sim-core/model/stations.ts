// Stations and their queues, the layer above model/state.ts. Every station (handlers, DB pool,
// shards, services, async queue, workers, per-key locks, host machines) is a busy-server counter
// with the areas and waits the result reports; most also have an intrusive FIFO of waiting job
// slots (linked through jNext/jPrev). In SimPy's words a job requests a server — `grab` when one
// is free, else `qPush` to wait — and releases it: `release` when nobody waits, `serverFreed`
// when the next waiter in the queue starts its service.
import { SimState, type RunOptions } from './state';
import * as K from './state';
import type { Scenario } from '../schema';

// the shared constants as module-local copies (state.ts says why)
const { EV_DONE, PRI_MODEL } = K;

/** Stations: busy counters, areas, waits and FIFO queues. */
export abstract class Stations extends SimState {
  // ---- generic FIFO queues
  private readonly qHead: Int32Array;
  private readonly qTail: Int32Array;
  protected readonly qLen: Int32Array;
  /** The station each queue waits for (−1: none, the blocked senders of an async queue). */
  private readonly qSt: Int32Array;

  // ---- stations
  readonly stBusy: Float64Array;
  readonly stQ: Float64Array;
  /** Signed time sums of the busy and queue areas (see areaB). */
  protected readonly stSumB: Float64Array;
  protected readonly stSumQ: Float64Array;
  /** Busy-server and queue-length areas (ms) over the measured window, filled at the end of run(). */
  readonly stAreaB: Float64Array;
  readonly stAreaQ: Float64Array;
  readonly stWaitSum: Float64Array;
  readonly stWaitN: Float64Array;
  readonly stServers: Float64Array;
  /** Requests in each instance's handlers and backlog: what least_conn compares (gateway.ts). */
  protected readonly active: Int32Array;

  constructor(s: Scenario, opts: RunOptions) {
    super(s, opts);
    const I = this.I;
    const nSvc = this.svcNames.length;
    const nQ = this.nQ;
    this.qHead = new Int32Array(nQ).fill(-1);
    this.qTail = new Int32Array(nQ).fill(-1);
    this.qLen = new Int32Array(nQ);
    const n = this.nSt;
    this.stBusy = new Float64Array(n);
    this.stQ = new Float64Array(n);
    this.stSumB = new Float64Array(n);
    this.stSumQ = new Float64Array(n);
    this.stAreaB = new Float64Array(n);
    this.stAreaQ = new Float64Array(n);
    this.stWaitSum = new Float64Array(n);
    this.stWaitN = new Float64Array(n);
    this.stServers = new Float64Array(n);
    this.qSt = new Int32Array(nQ);
    for (let i = 0; i < I; i++) {
      this.qSt[i] = i;
      this.qSt[this.qPool + i] = this.sPool + i;
      this.qSt[this.qAsync + i] = this.sAq + i;
      this.qSt[this.qSend + i] = -1;
      this.stServers[i] = this.conc;
      this.stServers[this.sPool + i] = this.poolSize;
      this.stServers[this.sAq + i] = this.asyncCap;
      this.stServers[this.sWork + i] = this.workers;
    }
    for (let k = 0; k < this.S; k++) {
      this.qSt[this.qShard + k] = this.sShard + k;
      this.stServers[this.sShard + k] = this.shardConc;
    }
    for (let k = 0; k < nSvc; k++) {
      this.qSt[this.qSvc + k] = this.sSvc + k;
      this.stServers[this.sSvc + k] = this.svcConc[k];
    }
    for (let l = 0; l < this.L; l++) this.stServers[this.sLock + l] = 1;
    this.machines.forEach((m, x) => (this.stServers[this.sHost + x] = m.cores));
    if (this.poolerCpu)
      for (let k = 0; k < this.S; k++) {
        this.qSt[this.qPooler + k] = this.sPooler + k;
        this.stServers[this.sPooler + k] = this.poolerThreads;
      }
    if (this.flushTime)
      for (let k = 0; k < this.S; k++) {
        this.qSt[this.qFlush + k] = this.sFlush + k;
        this.stServers[this.sFlush + k] = 1;
      }
    this.active = new Int32Array(I);
  }

  // Busy and queue areas (∫ busy dt, ∫ queue dt) are kept as signed time sums: a server taken at
  // t subtracts t, one given back adds t, so the area up to T is the sum plus busy(T)·T — one
  // add per change instead of integrating piecewise at every change.

  /** Station st's busy-server area (ms) from the last reset up to now. */
  protected areaB(st: number): number {
    if (st === this.sShard && this.shardMirror) {
      let a = 0;
      for (let i = 0; i < this.I; i++) a += this.areaB(this.sPool + i);
      return a;
    }
    return this.stSumB[st] + this.stBusy[st] * this.now - this.lazyFuture(st, false);
  }

  /** Station st's queue-length area (ms) from the last reset up to now. */
  protected areaQ(st: number): number {
    return this.stSumQ[st] + this.stQ[st] * this.now - this.lazyFuture(st, true);
  }

  /** One more job waits at station st. */
  protected qInc(st: number): void {
    this.stSumQ[st] -= this.now;
    this.stQ[st]++;
  }

  /** One job fewer waits at station st. */
  protected qDec(st: number): void {
    this.stSumQ[st] += this.now;
    this.stQ[st]--;
  }

  /** A server of station `st` is taken now with no wait: count it busy and a zero wait. */
  protected grab(st: number): void {
    const now = this.now;
    this.stSumB[st] -= now;
    this.stBusy[st]++;
    if (now >= this.warmMs) this.stWaitN[st]++;
  }

  /** A server of station `st` is given back now (and nobody waits for it). */
  protected release(st: number): void {
    this.stSumB[st] += this.now;
    this.stBusy[st]--;
  }

  /** A job waiting at station `st` since `since` got its server now: count its wait. */
  protected waited(st: number, since: number): void {
    if (this.now >= this.warmMs) {
      this.stWaitSum[st] += this.now - since;
      this.stWaitN[st]++;
    }
  }

  /** Job j joins the tail of queue q (and waits at its station). */
  protected qPush(q: number, j: number): void {
    const st = this.qSt[q];
    if (st >= 0) this.qInc(st);
    const t = this.qTail[q];
    this.jPrev[j] = t;
    this.jNext[j] = -1;
    if (t >= 0) this.jNext[t] = j;
    else this.qHead[q] = j;
    this.qTail[q] = j;
    this.qLen[q]++;
    if (q < this.I) this.setActive(q, this.active[q] + 1);
    this.jQ[j] = q;
    this.jWaitT[j] = this.now;
  }

  /** Job j leaves queue q, wherever it is in it. */
  protected qRemove(q: number, j: number): void {
    const st = this.qSt[q];
    if (st >= 0) this.qDec(st);
    const p = this.jPrev[j];
    const n = this.jNext[j];
    if (p >= 0) this.jNext[p] = n;
    else this.qHead[q] = n;
    if (n >= 0) this.jPrev[n] = p;
    else this.qTail[q] = p;
    this.qLen[q]--;
    if (q < this.I) this.setActive(q, this.active[q] - 1);
    this.jQ[j] = -1;
  }

  /** The job at the head of queue q leaves it (q is not empty). */
  protected qPop(q: number): number {
    const j = this.qHead[q];
    this.qRemove(q, j);
    return j;
  }

  /** A server of station `st` is free: the next waiter in queue `q` starts its service, or it idles. */
  protected serverFreed(q: number, st: number): void {
    if (this.qLen[q] > 0) {
      const w = this.qPop(q);
      this.waited(st, this.jWaitT[w]);
      if (this.xWait) this.grantWaiter(w);
      else
        this.ev.push(
          this.now + this.dists[this.prog.a[this.jPc[w]]].sample(this.rSvc),
          EV_DONE,
          w,
          PRI_MODEL,
        );
    } else {
      this.release(st);
    }
  }
}
