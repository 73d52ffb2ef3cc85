// The order-pipeline model: compiles a validated Scenario into a flat step program and runs it on
// the event list. A request (or an async task) is a slot in preallocated typed arrays moving
// through the program; every station (handlers, DB pool, shards, services, async queue, workers,
// per-key locks) is a busy counter plus an intrusive FIFO of waiting slots, so the hot path is
// integer kinds in a switch, typed arrays and no allocation per event.
//
// PipelineSim is one object whose class is built in layers, each a module of model/ extending the
// one listed before it (a single class chain: one hidden class, so V8's inline caches stay
// monomorphic):
//   state.ts     constants, configuration and layout, random streams, event list and timers,
//                counters, job slots
//   stations.ts  busy counters, areas, waits and FIFO queues (grab/release, qPush/qPop)
//   gateway.ts   balancer, ejection, instance faults
//   hosts.ts     processor-sharing host machines
//   workload.ts  arrivals, closed-loop sends, each request's outcome
//   locks.ts     per-key lock tables
//   db.ts        connection pools, shards, queries, transactions
//   async.ts     async queues and workers, general and solved
//   probes.ts    warm-up reset, batches, series windows
//   model.ts     this file: the request lifecycle — the interpreter (`exec`), done/resume,
//                finish/fail/unwind, time-outs — and the main loop, `run()`
// A layer calls those below it directly; its few calls up (a queue changing an instance's load, a
// crash failing its requests, a lock handed to a waiter that goes on, …) are abstract methods
// declared at the end of state.ts.
//
// Semantics chosen here (each layer's header has its own):
// - Client timeout: the client stops waiting and counts a time-out. A request still in the accept
//   backlog is dropped (the server sees the closed connection when it accepts); one already in a
//   handler runs to the end (the handler does not notice), so timeouts do not relieve load.
// - Steps: cpu holds the handler; cache = lookup delay, then with 1 − hit_ratio a DB read
//   (cache-aside); db = FIFO wait for a pooled connection (acquire_timeout_ms ⇒ pool_timeout),
//   then FIFO wait on shard `key % shards` (shard_concurrency servers), query, release both;
//   call = a named station (concurrency + waiting room; full ⇒ service_full); lock = per-key FIFO
//   lock around its steps (one lock table per lock step; timeout ⇒ lock_timeout; overhead is
//   paid after acquiring and after releasing); enqueue = a Go channel send (`block`) or a
//   non-blocking send (`reject` ⇒ async_queue_full); workers take tasks FIFO. Lock steps do not
//   contend across steps: each lock step has its own table.
//
// How it stays fast: consecutive pure delays (cpu steps, cache hits, lock overheads) are one
// event; the constant-delay timeouts (client, pool, each lock step; state.ts), open-workload
// arrivals and a closed loop's sends (workload.ts) are ordered streams beside the heap rather
// than in it, so the heap holds only service completions; keys are drawn only when a step needs
// them; a worker pool that nothing else touches takes no events (async.ts). The hot functions —
// exec, finish, outcome, setActive, the event list's push — are kept small enough for V8 to
// inline them at their callers (rare branches are methods of their own).
import type { Scenario } from './schema';
import * as P from './program';
import { Scaler } from './model/scaler';
import { CAUSES, type RunOptions } from './model/state';
import * as K from './model/state';

// the op codes as module-local copies (state.ts says why)
const {
  OP_CPU,
  OP_CACHE,
  OP_DB,
  OP_CALL,
  OP_LOCK,
  OP_UNLOCK,
  OP_ENQ,
  OP_END,
  OP_HCPU,
  OP_TXB,
  OP_TXE,
  OP_TXQ,
  OP_WAIT,
  OP_FLUSH,
} = P;

// the shared constants as module-local copies (state.ts says why)
const {
  EV_SEND,
  EV_DONE,
  EV_RESUME,
  EV_DOWN,
  EV_UP,
  EV_WARMUP,
  EV_BATCH,
  EV_WINDOW,
  EV_UNBLOCK,
  EV_PS,
  EV_QCPU,
  EV_SCALE,
  EV_READY,
  EV_SLO,
  EV_FLUSH,
  PS_RESUME,
  PS_DONE,
  PRI_CONTROL,
  PRI_MODEL,
  F_DONE,
  F_DEAD,
  F_COHORT,
  F_NOHANDLER,
  F_TASK,
  C_ASYNC,
  C_POOL,
  C_CLIENT,
  C_LOCK,
  C_SERVICE,
  O_OK,
  O_FAILED,
  O_TIMEOUT,
  LOCKQ,
  MIN_CYCLE_OK,
} = K;

export { CAUSES, type RunOptions };

/** Events between polls of shouldCancel / onProgress. */
const POLL_EVERY = 65536;

/** Thrown out of a run when `shouldCancel` returns true. */
export class SimCancelled extends Error {
  constructor() {
    super('simulation cancelled');
    this.name = 'SimCancelled';
  }
}

/** The runtime of one simulation. Construct, `run()`, then read the public fields. */
export class PipelineSim extends Scaler {
  private readonly onProgress?: (fraction: number) => void;
  private readonly shouldCancel?: () => boolean;
  /** The run has ended (complete, or stopped by `stopHere`). */
  private finished = false;
  /** Where `stopHere` ended a run early (ms of simulated time), or null. */
  stoppedMs: number | null = null;

  /** Builds the runtime for a validated scenario. */
  constructor(s: Scenario, opts: RunOptions) {
    super(s, opts);
    this.onProgress = opts.onProgress;
    this.shouldCancel = opts.shouldCancel;

    // the first events, in this order (events due at one instant pop in the order they were pushed)
    this.startProbes();
    this.startScaler();
    this.startFaults(s.gateway.faults);
    this.startWorkload();
  }

  // ================================================================ program interpreter

  protected override start(j: number, i: number): void {
    if (this.track) this.runAdd(i, j);
    this.jPc[j] = 0;
    this.exec(j);
  }

  /** Runs job j from its pc until it waits, starts a timed activity, or ends. */
  protected override exec(j: number): void {
    const prog = this.prog;
    const op = prog.op;
    for (;;) {
      const pc = this.jPc[j];
      switch (op[pc]) {
        case OP_CPU:
        case OP_CACHE:
        case OP_WAIT: {
          // consecutive pure delays (cpu steps, cache hits) hold nothing but the handler, so they
          // are one event: sum them, stop before the first step that needs a station
          let d = 0;
          let p = pc;
          for (;;) {
            const o = op[p];
            if (o === OP_CPU) {
              d += this.dists[prog.a[p]].sample(this.rSvc);
              p++;
            } else if (o === OP_CACHE) {
              d += this.dists[prog.a[p]].sample(this.rSvc);
              p = this.rCache.float() < prog.f[p] ? prog.c[p] : p + 1; // a miss goes on to its DB read
            } else if (o === OP_WAIT) {
              d += prog.f[p];
              p++;
            } else break;
          }
          this.jPc[j] = p;
          this.ev.push(this.now + d, EV_RESUME, j, PRI_MODEL);
          return;
        }
        case OP_HCPU: {
          // consecutive cpu steps on the instance's host: one stint of their summed demand
          let d = 0;
          let p = pc;
          while (op[p] === OP_HCPU) {
            d += this.dists[prog.a[p]].sample(this.rSvc);
            p++;
          }
          this.jPc[j] = p;
          this.psStart(this.mInst + this.jInst[j], j, d, PS_RESUME);
          return;
        }
        case OP_TXQ:
          this.startQuery(j);
          return;
        case OP_FLUSH:
          this.commitFlush(j);
          return;
        case OP_TXE: {
          this.txRelease(j);
          this.jPc[j] = pc + 1;
          continue;
        }
        case OP_DB:
        case OP_TXB: {
          const i = this.jInst[j];
          const st = this.sPool + i;
          if (this.stBusy[st] < this.poolSize) {
            this.grab(st);
            this.dbShard(j);
          } else {
            this.qPush(this.qPool + i, j);
            if (this.acquireTimeout > 0) {
              this.jWait[j] = this.nextToken();
              this.arm(this.poolTimers, this.now + this.acquireTimeout, j, this.jWait[j]);
            }
          }
          return;
        }
        case OP_CALL: {
          const k = prog.b[pc];
          const st = this.sSvc + k;
          if (this.stBusy[st] < this.svcConc[k]) {
            this.grab(st);
            if (this.svcMach[k] >= 0)
              this.psStart(this.svcMach[k], j, this.dists[prog.a[pc]].sample(this.rSvc), PS_DONE);
            else
              this.ev.push(
                this.now + this.dists[prog.a[pc]].sample(this.rSvc),
                EV_DONE,
                j,
                PRI_MODEL,
              );
          } else if (this.qLen[this.qSvc + k] < this.svcQueue[k]) {
            this.qPush(this.qSvc + k, j);
          } else {
            this.fail(j, C_SERVICE, pc);
          }
          return;
        }
        case OP_LOCK: {
          const l = prog.a[pc];
          const key = this.lockSlot(l, prog.b[pc] === 0 ? this.userOf(j) : this.itemOf(j));
          if (this.lkHeld[l][key] === 0) {
            this.lockGrant(l, key);
            this.jPc[j] = pc + 1;
            if (prog.c[pc] >= 0) {
              this.ev.push(
                this.now + this.dists[prog.c[pc]].sample(this.rSvc),
                EV_RESUME,
                j,
                PRI_MODEL,
              );
              return;
            }
            continue;
          }
          // wait for the key's lock
          const st = this.sLock + l;
          this.qInc(st);
          const head = this.lkHead[l];
          const tail = this.lkTail[l];
          const t = tail[key];
          this.jPrev[j] = t;
          this.jNext[j] = -1;
          if (t >= 0) this.jNext[t] = j;
          else head[key] = j;
          tail[key] = j;
          this.jQ[j] = LOCKQ;
          this.jWaitT[j] = this.now;
          if (prog.f[pc] > 0) {
            this.jWait[j] = this.nextToken();
            this.arm(this.lockTimers[l], this.now + prog.f[pc], j, this.jWait[j]);
          }
          return;
        }
        case OP_UNLOCK: {
          const l = prog.a[pc];
          const key = this.lockSlot(l, prog.b[pc] === 0 ? this.jUser[j] : this.jItem[j]);
          this.lockRelease(l, key);
          this.jPc[j] = pc + 1;
          if (prog.c[pc] >= 0) {
            this.ev.push(
              this.now + this.dists[prog.c[pc]].sample(this.rSvc),
              EV_RESUME,
              j,
              PRI_MODEL,
            );
            return;
          }
          continue;
        }
        case OP_ENQ: {
          const i = this.jInst[j];
          if (this.lazy) {
            if (this.rings[i].advance(this.now) < this.asyncCap) this.lazyTask(i);
            else if (!this.asyncBlock) {
              if (this.now >= this.warmMs) this.aRejected++;
              this.fail(j, C_ASYNC, pc);
              return;
            } else {
              this.qPush(this.qSend + i, j);
              this.blocked++;
              this.armUnblock(i);
              return;
            }
            this.jPc[j] = pc + 1;
            continue;
          }
          const q = this.qAsync + i;
          const ws = this.sWork + i;
          if (this.stBusy[ws] < this.workers && this.qLen[q] === 0) {
            this.newTask(j, true);
          } else if (this.qLen[q] < this.asyncCap) {
            this.newTask(j, false);
          } else if (!this.asyncBlock) {
            if (this.now >= this.warmMs) this.aRejected++;
            this.fail(j, C_ASYNC, pc);
            return;
          } else {
            this.qPush(this.qSend + i, j);
            this.blocked++;
            return;
          }
          this.jPc[j] = pc + 1;
          continue;
        }
        default:
          this.finish(j);
          return;
      }
    }
  }

  /** Job j finished its program. */
  private finish(j: number): void {
    const fl = this.jFlags[j];
    if ((fl & F_TASK) !== 0) {
      if (this.now >= this.warmMs) {
        this.aCompleted++;
        this.taskHist.record(this.now - this.jT0[j]);
      }
      const i = this.jInst[j];
      this.free(j);
      this.workerFree(i);
      return;
    }
    if ((fl & F_DONE) === 0) {
      const i = this.jInst[j];
      this.fails[i] = 0;
      const conn = this.jConn[j];
      const t0 = this.jT0[j];
      if (this.sendAtOnce && conn >= 0 && this.now - t0 >= MIN_CYCLE_OK) {
        // no think time: the connection's next request goes out now, once this one has let go
        this.outcome((fl & F_COHORT) !== 0, t0, -1, O_OK, 0);
        this.endRequest(j);
        this.arrive(conn);
        return;
      }
      this.outcome((fl & F_COHORT) !== 0, t0, conn, O_OK, 0);
    }
    this.endRequest(j);
  }

  private endRequest(j: number): void {
    const i = this.jInst[j];
    if ((this.jFlags[j] & F_NOHANDLER) === 0) {
      if (this.track) this.runRemove(i, j);
      this.free(j);
      this.handlerFree(i);
    } else {
      this.free(j);
    }
  }

  private handlerFree(i: number): void {
    if (this.down[i] === 0 && this.qLen[i] > 0) {
      const w = this.qPop(i);
      this.waited(i, this.jT0[w]);
      this.start(w, i);
    } else {
      this.release(i);
      this.setActive(i, this.active[i] - 1);
      if (this.off[i] !== 0 && this.active[i] === 0) this.checkDrained(i);
    }
  }

  /**
   * Job j fails with `cause` at instruction `from` (which holds nothing: its wait was cancelled);
   * the locks it holds are released by scanning on to the end.
   */
  private fail(j: number, cause: number, from: number): void {
    const fl = this.jFlags[j];
    if ((fl & F_TASK) !== 0) {
      if (this.now >= this.warmMs) this.aFailed++;
      this.unwind(j, from);
      const i = this.jInst[j];
      this.free(j);
      this.workerFree(i);
      return;
    }
    if ((fl & F_DONE) === 0)
      this.outcome((fl & F_COHORT) !== 0, this.jT0[j], this.jConn[j], O_FAILED, cause);
    this.jFlags[j] = fl | F_DONE | F_DEAD;
    this.unwind(j, from);
    this.endRequest(j);
  }

  /** Releases the locks job j holds: scans from `from` to the end, skipping lock blocks not yet entered. */
  protected override unwind(j: number, from: number): void {
    const op = this.prog.op;
    let pc = from;
    for (;;) {
      const o = op[pc];
      if (o === OP_END) return;
      if (o === OP_LOCK || o === OP_TXB) {
        pc = this.lockEnd[pc] + 1; // never taken: skip the whole block
        continue;
      }
      if (o === OP_TXE) this.txRelease(j);
      if (o === OP_UNLOCK) {
        const l = this.prog.a[pc];
        this.lockRelease(
          l,
          this.lockSlot(l, this.prog.b[pc] === 0 ? this.jUser[j] : this.jItem[j]),
        );
      }
      pc++;
    }
  }

  /** A timed activity of job j ended. */
  protected override done(j: number): void {
    const prog = this.prog;
    const pc = this.jPc[j];
    switch (prog.op[pc]) {
      case OP_DB: {
        const k = this.jPhase[j];
        if (this.connUsl) this.shardConn(k, -1);
        if (!this.shardMirror) this.serverFreed(this.qShard + k, this.sShard + k);
        this.poolRelease(this.jInst[j]);
        this.jPc[j] = pc + 1;
        break;
      }
      case OP_CALL: {
        const k = prog.b[pc];
        this.serverFreed(this.qSvc + k, this.sSvc + k);
        this.jPc[j] = pc + 1;
        break;
      }
      default:
        this.jPc[j] = pc + 1;
    }
    this.resume(j);
  }

  /** Job j goes on at its pc — or, if its request is dead, gives back its locks and ends. */
  protected override resume(j: number): void {
    if ((this.jFlags[j] & F_DEAD) !== 0) {
      this.unwind(j, this.jPc[j]);
      this.free(j);
      return;
    }
    this.exec(j);
  }

  /** Cancels job j's wait (it holds nothing it waited for; a shard waiter gives back its connection). */
  protected override cancelWait(j: number): void {
    const q = this.jQ[j];
    this.jWait[j] = 0;
    if (q >= 0) {
      this.qRemove(q, j);
      if (q >= this.qSend && q < this.qShard) this.blocked--;
      if (q >= this.qShard && q < this.qSvc) this.poolRelease(this.jInst[j]);
    } else if (q === LOCKQ) {
      const pc = this.jPc[j];
      const l = this.prog.a[pc];
      const key = this.lockSlot(l, this.prog.b[pc] === 0 ? this.jUser[j] : this.jItem[j]);
      const p = this.jPrev[j];
      const n = this.jNext[j];
      if (p >= 0) this.jNext[p] = n;
      else this.lkHead[l][key] = n;
      if (n >= 0) this.jPrev[n] = p;
      else this.lkTail[l][key] = p;
      this.jQ[j] = -1;
      const st = this.sLock + l;
      this.qDec(st);
    }
  }

  private clientTimeout(j: number, id: number): void {
    if (this.jId[j] !== id) return;
    const fl = this.jFlags[j];
    if ((fl & (F_DONE | F_TASK)) !== 0) return;
    this.jFlags[j] = fl | F_DONE;
    this.outcome((fl & F_COHORT) !== 0, this.jT0[j], this.jConn[j], O_TIMEOUT, C_CLIENT);
    const q = this.jQ[j];
    if (q >= 0 && q < this.I) {
      // still in the accept backlog: dropped
      this.qRemove(q, j);
      this.free(j);
    }
  }

  private waitTimeout(j: number, id: number): void {
    if (this.jWait[j] !== id) return;
    const pc = this.jPc[j];
    const isLock = this.prog.op[pc] === OP_LOCK;
    this.cancelWait(j);
    this.fail(j, isLock ? C_LOCK : C_POOL, pc);
  }

  // ================================================================ main loop

  /**
   * Runs the simulation to the end of the measured window; with a `budget`, stops after about that
   * many more events (at the next poll) and returns false, to be called again to go on (the events
   * and their order are the same either way). True when the run is complete.
   */
  run(budget = Infinity): boolean {
    if (this.finished) return true;
    const ev = this.ev;
    const endMs = this.endMs;
    const poll = this.shouldCancel !== undefined || this.onProgress !== undefined;
    const timers = this.timers;
    let events = this.events;
    let nextPoll = events + POLL_EVERY;
    const pause = events + budget;
    for (;;) {
      if (events >= nextPoll) {
        nextPoll = events + POLL_EVERY;
        if (poll) {
          if (this.shouldCancel?.()) {
            this.events = events;
            throw new SimCancelled();
          }
          this.onProgress?.(this.now / endMs);
        }
        if (events >= pause) {
          this.events = events;
          return false;
        }
      }
      let te = ev.size > 0 ? ev.peekTime() : Infinity;
      const ta = this.nextArrival;
      if (ta < te && ta <= this.timerMin) {
        if (ta >= endMs) break;
        this.now = ta;
        events++;
        if (this.closed) {
          const ring = this.sends;
          ring.pop();
          this.nextArrival = ring.peekTime();
          this.arrive(ring.slot);
        } else {
          if (this.clientCpu !== null) this.clientBurst(-1, 0);
          this.arrive(-1);
          this.scheduleArrival();
        }
        continue;
      }
      if (ta < te) te = ta;
      if (this.timerMin < te) {
        // a timer expires first: pop the earliest one
        if (this.timerMin >= endMs) break;
        // one pass: the queue holding the earliest deadline, and the earliest of the others
        let q = 0;
        let qt = timers[0].peekTime();
        let others = Infinity;
        for (let k = 1; k < timers.length; k++) {
          const t = timers[k].peekTime();
          if (t < qt) {
            if (qt < others) others = qt;
            q = k;
            qt = t;
          } else if (t < others) others = t;
        }
        const tq = timers[q];
        this.now = tq.pop();
        const next = tq.peekTime();
        this.timerMin = next < others ? next : others;
        // a timer whose token no longer matches is stale for good (tokens are never reused), so
        // the stale ones now at the head are dropped in one go rather than one loop turn each
        if ((q === 0 ? this.jId : this.jWait)[tq.slot] === tq.token) {
          events++;
          if (q === 0) this.clientTimeout(tq.slot, tq.token);
          else this.waitTimeout(tq.slot, tq.token);
        }
        const tok = q === 0 ? this.jId : this.jWait; // read after the handler: it may grow them
        if (tq.size > 0 && tok[tq.headSlot()] !== tq.headToken()) {
          do tq.pop();
          while (tq.size > 0 && tok[tq.headSlot()] !== tq.headToken());
          // the handler may have armed timers elsewhere: take the minimum afresh
          let m = Infinity;
          for (let k = 0; k < timers.length; k++) {
            const t = timers[k].peekTime();
            if (t < m) m = t;
          }
          this.timerMin = m;
        }
        continue;
      }
      if (te >= endMs) break;
      ev.pop();
      this.now = ev.time;
      events++;
      const p = ev.payload;
      switch (ev.kind) {
        case EV_DONE:
          this.done(p);
          break;
        case EV_SEND:
          this.arrive(p);
          break;
        case EV_RESUME:
          this.resume(p);
          break;
        case EV_DOWN:
          this.instanceDown(p);
          break;
        case EV_UP:
          this.down[p] = 0;
          break;
        case EV_WARMUP:
          this.resetWindowStats();
          break;
        case EV_BATCH:
          this.closeBatch();
          if (p + 1 < this.nBatches)
            ev.push(this.warmMs + (p + 1) * this.batchMs, EV_BATCH, p + 1, PRI_CONTROL);
          break;
        case EV_UNBLOCK:
          this.unblock(p);
          break;
        case EV_PS:
          if (!this.psDeparture(p, ev.time)) events--;
          break;
        case EV_QCPU:
          this.queryCpu(p);
          break;
        case EV_SCALE:
          this.scaleTick();
          break;
        case EV_READY:
          this.instanceReady(p);
          break;
        case EV_SLO:
          this.closeSloWindow();
          break;
        case EV_FLUSH:
          this.flushDisk(p);
          break;
        case EV_WINDOW:
          this.closeWindow();
          if (p + 1 < this.nWindows)
            ev.push((p + 1) * this.windowMs, EV_WINDOW, p + 1, PRI_CONTROL);
          break;
      }
    }
    this.events = events;
    this.now = endMs;
    this.closeBooks();
    this.onProgress?.(1);
    return true;
  }

  /**
   * Ends the run where it stands (after `run(budget)` returned false): the figures are those of
   * the simulated time so far (`stoppedMs`), as if the run had been that long.
   */
  stopHere(): void {
    if (this.finished) return;
    this.stoppedMs = this.now;
    this.closeBooks();
  }

  /** Closes the books at `now`: station areas, the last batch and series window. */
  private closeBooks(): void {
    this.finished = true;
    for (let st = 0; st < this.nSt; st++) {
      this.stAreaB[st] = this.areaB(st);
      this.stAreaQ[st] = this.areaQ(st);
    }
    if (this.shardMirror) {
      // a zero wait at the shard for every query, when its connection was had
      let n = 0;
      for (let i = 0; i < this.I; i++) n += this.stWaitN[this.sPool + i];
      this.stWaitN[this.sShard] = n;
    }
    this.closeBatch();
    if (this.series) this.closeWindow();
    this.closeScaler();
  }
}
