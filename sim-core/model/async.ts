// The async queue and its workers, the layer above model/db.ts. An enqueue step is a Go channel
// send (`block`: the sender waits for room, `blocked` counts it) or a non-blocking send (`reject`
// ⇒ async_queue_full); the task is a job of its own (F_TASK) that runs the program's async steps
// on a worker, and workers take tasks FIFO (`workerFree`). Queues and workers are per instance.
//
// How it stays fast: a worker pool that nothing else touches is solved when each task is queued
// (see `lazy`: `lazyTask`, `armUnblock`/`unblock` for blocked senders, `lazyFuture` for the
// figures that lie after now), so its tasks take no events.
import type { Scenario } from '../schema';
import * as P from '../program';
import { TaskRing } from '../async-pool';
import { Db } from './db';
import type { RunOptions } from './state';
import * as K from './state';

// the op codes as module-local copies (state.ts says why)
const { OP_CALL, OP_CPU, OP_END } = P;

// the shared constants as module-local copies (state.ts says why)
const { EV_UNBLOCK, F_TASK, PRI_MODEL } = K;

/** The async queues and their workers, general and solved. */
export abstract class Async extends Db {
  protected readonly asyncBlock: boolean;

  // ---- independent worker pools
  /**
   * When the async steps are pure delays and at most one call to a service nothing else uses and
   * that has a server for every worker, each instance's workers form a FIFO multi-server queue
   * that nothing else touches: a task's start is max(enqueue time, the earliest worker free time)
   * and its end is start + its steps' times (Kiefer–Wolfowitz), so it is solved when it is queued
   * instead of taking events of its own. Results are the same in distribution (draws come in
   * another order); blocked senders get in through an EV_UNBLOCK when the queue's head starts.
   */
  protected readonly lazy: boolean;
  /** When each worker is next free: a min-heap per instance (instance i: slots i·workers …). */
  private readonly lzFree: Float64Array;
  protected readonly rings: TaskRing[] = [];
  /** The async steps' distributions, and the index of the call step among them (−1: none). */
  private readonly lzDist: Int32Array;
  private readonly lzCall: number;
  /** The called service's station (−1: none). */
  private readonly lzSvc: number;
  /** An EV_UNBLOCK is pending for the instance. */
  private readonly lzArmed: Uint8Array;

  constructor(s: Scenario, opts: RunOptions) {
    super(s, opts);
    const I = this.I;
    this.asyncBlock = (s.async?.when_full ?? 'block') === 'block';

    // independent worker pools (see `lazy`)
    const op = this.prog.op;
    const aStart = this.prog.asyncStart;
    let aEnd = aStart;
    while (op[aEnd] !== OP_END) aEnd++;
    const dists: number[] = [];
    let call = -1;
    let svc = -1;
    let eligible = s.async !== undefined && this.workers > 0 && this.asyncCap > 0;
    for (let pc = aStart; eligible && pc < aEnd; pc++) {
      if (op[pc] === OP_CALL && call < 0) {
        const k = this.prog.b[pc];
        call = dists.length;
        svc = k;
        // nothing else calls it, and it has a server for every worker of every instance
        for (let h = 0; h < aStart; h++)
          if (op[h] === OP_CALL && this.prog.b[h] === k) eligible = false;
        if (this.svcConc[k] < I * this.workers || this.svcMach[k] >= 0) eligible = false;
      } else if (op[pc] !== OP_CPU) eligible = false;
      dists.push(this.prog.a[pc]);
    }
    this.lazy = eligible && opts.lazyAsync !== false;
    this.lzDist = Int32Array.from(dists);
    this.lzCall = call;
    this.lzSvc = svc >= 0 ? this.sSvc + svc : -1;
    this.lzFree = new Float64Array(this.lazy ? I * this.workers : 0);
    this.lzArmed = new Uint8Array(I);
    if (this.lazy) for (let i = 0; i < I; i++) this.rings.push(new TaskRing());
  }

  /**
   * Job `from` queues a task on its instance's async queue (general path); `direct`: a worker is
   * free and the queue empty, so the task starts at once.
   */
  protected newTask(from: number, direct: boolean): void {
    const i = this.jInst[from];
    const t = this.alloc();
    this.jFlags[t] = F_TASK;
    this.jInst[t] = i;
    this.jUser[t] = this.jUser[from];
    this.jItem[t] = this.jItem[from];
    this.jT0[t] = this.now;
    this.jConn[t] = -1;
    this.jPc[t] = this.prog.asyncStart;
    if (this.now >= this.warmMs) this.aEnqueued++;
    if (direct) {
      this.grab(this.sWork + i);
      if (this.now >= this.warmMs) this.stWaitN[this.sAq + i]++; // a zero wait (see grab)
      this.exec(t);
    } else {
      this.qPush(this.qAsync + i, t);
      const len = this.qLen[this.qAsync + i];
      if (len > this.aMaxBacklog && this.now >= this.warmMs) this.aMaxBacklog = len;
    }
  }

  /**
   * Queues a task on instance i's independent worker pool now and solves it: its worker, start,
   * end and call span, and every figure the general path would count as those times pass
   * (figures at times before the warm-up reset are added back by resetWindowStats).
   */
  protected lazyTask(i: number): void {
    const now = this.now;
    const warm = now >= this.warmMs;
    const endMs = this.endMs;
    if (warm) this.aEnqueued++;
    // the worker free first: the top of the instance's min-heap of free times
    const W = this.workers;
    const free = this.lzFree;
    const base = i * W;
    const f = free[base];
    const start = f > now ? f : now;
    let t = start;
    let cs = start;
    let ce = start;
    const ds = this.lzDist;
    for (let k = 0; k < ds.length; k++) {
      const d = this.dists[ds[k]].sample(this.rSvc);
      if (k === this.lzCall) {
        cs = t;
        ce = t + d;
      }
      t += d;
    }
    // that worker is next free at t: sift it down from the top
    let h = 0;
    for (;;) {
      let c = 2 * h + 1;
      if (c >= W) break;
      if (c + 1 < W && free[base + c + 1] < free[base + c]) c++;
      if (free[base + c] >= t) break;
      free[base + h] = free[base + c];
      h = c;
    }
    free[base + h] = t;
    const ring = this.rings[i];
    ring.push(now, start, t, cs, ce);
    const ws = this.sWork + i;
    const aq = this.sAq + i;
    this.stSumB[ws] += t - start;
    if (start > now) {
      this.stSumQ[aq] += start - now;
      const len = ring.tail - ring.qi;
      if (warm && len > this.aMaxBacklog) this.aMaxBacklog = len;
      if (warm && start < endMs) this.taskWaited(i, start - now);
    } else if (warm) {
      // started at once: a zero wait (the sums are not touched: adding +0 changes no bits)
      this.stWaitN[ws]++;
      this.stWaitN[aq]++;
    }
    const sv = this.lzSvc;
    if (sv >= 0) {
      this.stSumB[sv] += ce - cs;
      if (warm && cs < endMs) this.stWaitN[sv]++;
    }
    if (t >= this.warmMs && t < endMs) {
      this.aCompleted++;
      this.taskHist.record(t - now);
    }
  }

  /** A task of instance i's solved pool waited `w` ms for a worker: the workers' and the queue's wait. */
  private taskWaited(i: number, w: number): void {
    this.stWaitSum[this.sWork + i] += w;
    this.stWaitN[this.sWork + i]++;
    this.stWaitSum[this.sAq + i] += w;
    this.stWaitN[this.sAq + i]++;
  }

  /**
   * Senders wait on instance i's queue: make sure an EV_UNBLOCK comes when there is room — now if
   * there is (several tasks started at once), else when the queue's head starts.
   */
  protected armUnblock(i: number): void {
    if (this.lzArmed[i] !== 0) return;
    this.lzArmed[i] = 1;
    const r = this.rings[i];
    const t = r.advance(this.now) < this.asyncCap ? this.now : r.nextStart();
    this.ev.push(t, EV_UNBLOCK, i, PRI_MODEL);
  }

  /** The head of instance i's full queue started: the first blocked sender queues its task and goes on. */
  protected unblock(i: number): void {
    this.lzArmed[i] = 0;
    const sq = this.qSend + i;
    if (this.qLen[sq] === 0) return;
    if (this.rings[i].advance(this.now) >= this.asyncCap) {
      this.armUnblock(i);
      return;
    }
    const s = this.qPop(sq);
    this.blocked--;
    this.lazyTask(i);
    this.jPc[s]++;
    if (this.qLen[sq] > 0) this.armUnblock(i);
    this.exec(s);
  }

  /** Part of lazy station st's busy (or, with queue, queue-length) area that lies after now. */
  protected override lazyFuture(st: number, queue: boolean): number {
    if (!this.lazy) return 0;
    const now = this.now;
    const rel = st - this.sWork;
    if (!queue && rel >= 0 && rel < this.I) {
      const r = this.rings[rel];
      return r.future(r.s, r.e, now);
    }
    const relQ = st - this.sAq;
    if (queue && relQ >= 0 && relQ < this.I) {
      const r = this.rings[relQ];
      return r.future(r.t, r.s, now);
    }
    if (!queue && st === this.lzSvc) {
      let sum = 0;
      for (const r of this.rings) sum += r.future(r.cs, r.ce, now);
      return sum;
    }
    return 0;
  }

  /** Tasks queued on instance i's async queue now. */
  protected asyncBacklog(i: number): number {
    return this.lazy ? this.rings[i].advance(this.now) : this.qLen[this.qAsync + i];
  }

  /** A worker of instance i is free: take the next task (and let a blocked sender in). */
  protected workerFree(i: number): void {
    const q = this.qAsync + i;
    const sq = this.qSend + i;
    if (this.qLen[q] > 0) {
      const t = this.qPop(q);
      this.waited(this.sWork + i, this.jWaitT[t]);
      this.waited(this.sAq + i, this.jWaitT[t]);
      if (this.qLen[sq] > 0) this.unblockSender(sq, false);
      this.exec(t);
    } else if (this.qLen[sq] > 0) {
      this.release(this.sWork + i); // newTask takes it again
      this.unblockSender(sq, true);
    } else {
      this.release(this.sWork + i);
    }
  }

  /** The first sender blocked in queue sq queues its task (see newTask) and goes on. */
  private unblockSender(sq: number, direct: boolean): void {
    const s = this.qPop(sq);
    this.blocked--;
    this.newTask(s, direct);
    this.jPc[s]++;
    this.exec(s);
  }

  /**
   * At the warm-up reset: the waits of tasks solved before it whose start (or call) comes after it
   * count in the measured window, as they would when the general path reaches those times.
   */
  protected lazyWarmWaits(): void {
    const now = this.now;
    const endMs = this.endMs;
    const sv = this.lzSvc;
    for (let i = 0; i < this.I; i++) {
      const r = this.rings[i];
      const m = r.t.length - 1;
      for (let x = r.head; x < r.tail; x++) {
        const t = r.t[x & m];
        const st = r.s[x & m];
        if (st > t && st >= now && st < endMs) this.taskWaited(i, st - t);
        const cs = r.cs[x & m];
        if (sv >= 0 && cs >= now && cs < endMs) this.stWaitN[sv]++;
      }
    }
  }

  /** Tasks waiting in async queues or running in workers now. */
  asyncPending(): number {
    let n = 0;
    if (this.lazy) {
      for (const r of this.rings) n += r.unfinished(this.now);
      return n;
    }
    for (let i = 0; i < this.I; i++) n += this.qLen[this.qAsync + i] + this.stBusy[this.sWork + i];
    return n;
  }
}
