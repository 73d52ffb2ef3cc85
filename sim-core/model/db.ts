// The database, the layer above model/locks.ts: a pool of connections per instance and shards
// shared by all. A db step waits FIFO for a pooled connection (acquire_timeout_ms ⇒ pool_timeout;
// exec asks for it), then FIFO for a server of shard `key % shards` (`dbShard`), runs its query
// and gives both back (the pool's next waiter goes on to its shard: `poolRelease`). With a host
// for the shards, a round trip, a query split into cpu and wait, or a transaction (`dbx`),
// queries take the general path: `startQuery` runs the round trip and wait part as a delay and
// the cpu part on the shard's host; a transaction holds one connection and its shard from BEGIN
// to COMMIT (`txRelease`). With a pooler (db.pooler), every statement first waits FIFO for one of
// its threads beside the shard and spends its CPU there on the shard's host (`poolerPass`), then
// runs as above. With a commit flush (db.commit_flush), a transaction's COMMIT waits for its
// shard's flush, one at a time, group commit: a commit that finds a flush in progress waits for
// the next, which covers every commit waiting (`commitFlush`, `flushEnd`). Waiters for a shard or
// a service that a host or the general path concerns are started by `grantWaiter`.
import type { Scenario } from '../schema';
import * as P from '../program';
import { Locks } from './locks';
import type { RunOptions } from './state';
import * as K from './state';

// the op codes as module-local copies (state.ts says why)
const { OP_DB, OP_CALL, OP_LOCK, OP_TXB, OP_TXQ } = P;

// the shared constants as module-local copies (state.ts says why)
const { BAL_HASH, EV_DONE, EV_FLUSH, EV_QCPU, EV_RESUME, PRI_MODEL, PS_DONE, PS_FLUSH, PS_POOLER } =
  K;

/** The database: connection pools, shards, queries and transactions. */
export abstract class Db extends Locks {
  /** S − 1 when S is a power of two (key & mask = key % S for the non-negative keys), else −1. */
  private readonly sMask: number;
  /**
   * True when nothing observable depends on request keys (one shard, no lock steps, no hash
   * balancer): the keys stream then has no other reader, so skipping its draws changes no result.
   */
  private readonly keyless: boolean;
  protected readonly acquireTimeout: number;

  constructor(s: Scenario, opts: RunOptions) {
    super(s, opts);
    this.acquireTimeout = s.db?.acquire_timeout_ms ?? 0;
    this.sMask = this.S > 0 && (this.S & (this.S - 1)) === 0 ? this.S - 1 : -1;
    this.keyless = this.S === 1 && this.balancer !== BAL_HASH && !this.prog.op.includes(OP_LOCK);
  }

  /** Job j holds a pool connection: run its query on the key's shard (or queue there). */
  protected dbShard(j: number): void {
    const pc = this.jPc[j];
    let k = 0;
    if (!this.keyless) {
      const key = this.prog.b[pc] === 0 ? this.userOf(j) : this.itemOf(j);
      k = this.sMask >= 0 ? key & this.sMask : key % this.S;
    }
    const st = this.sShard + k;
    this.jPhase[j] = k;
    if (this.shardMirror || this.stBusy[st] < this.shardConc) {
      if (!this.shardMirror) this.grab(st);
      if (this.dbx) this.shardGranted(j);
      else
        this.ev.push(
          this.now + this.dists[this.prog.a[pc]].sample(this.rSvc),
          EV_DONE,
          j,
          PRI_MODEL,
        );
    } else {
      this.qPush(this.qShard + k, j);
    }
  }

  /** Job j has its connection and shard: a transaction goes on inside, a query runs. */
  private shardGranted(j: number): void {
    if (this.connUsl) this.shardConn(this.jPhase[j], 1);
    const pc = this.jPc[j];
    if (this.prog.op[pc] === OP_TXB) {
      this.jPc[j] = pc + 1;
      this.exec(j);
    } else this.startQuery(j);
  }

  /**
   * Starts the statement at job j's pc (OP_DB holding a connection and its shard, or OP_TXQ on
   * its transaction's): through the shard's pooler first, if there is one.
   */
  protected startQuery(j: number): void {
    if (this.poolerCpu === null) this.runQuery(j);
    else {
      const k = this.jPhase[j];
      const st = this.sPooler + k;
      if (this.stBusy[st] < this.poolerThreads) {
        this.grab(st);
        this.poolerPass(j, k);
      } else this.qPush(this.qPooler + k, j);
    }
  }

  /** Job j has a thread of shard k's pooler: the statement's pooler CPU runs on k's host. */
  private poolerPass(j: number, k: number): void {
    this.psStart(this.mShard + k, j, this.poolerCpu!.sample(this.rSvc), PS_POOLER);
  }

  /** Job j's pass through the pooler ended: its thread goes to the next waiter, its query runs. */
  protected poolerDone(j: number): void {
    const k = this.jPhase[j];
    const q = this.qPooler + k;
    const st = this.sPooler + k;
    if (this.qLen[q] > 0) {
      const w = this.qPop(q);
      this.waited(st, this.jWaitT[w]);
      this.poolerPass(w, k);
    } else this.release(st);
    this.runQuery(j);
  }

  /**
   * Runs the query at job j's pc: the round trip and the wait part (or a single distribution) are
   * a delay, then the cpu part runs on the shard's host by processor sharing (without a host it is
   * a delay too).
   */
  private runQuery(j: number): void {
    const prog = this.prog;
    const pc = this.jPc[j];
    const w = prog.c[pc];
    const x = this.dists[prog.a[pc]].sample(this.rSvc);
    let delay = this.rtt;
    let cpu = 0;
    if (w < 0) delay += x;
    else {
      cpu = x;
      delay += this.dists[w].sample(this.rSvc);
    }
    if (this.mShard < 0 || cpu <= 0) {
      delay += cpu;
      // all of it is a delay: end the query with the event that ends a delay of its kind
      if (prog.op[pc] === OP_DB) this.ev.push(this.now + delay, EV_DONE, j, PRI_MODEL);
      else {
        this.jPc[j] = pc + 1;
        this.ev.push(this.now + delay, EV_RESUME, j, PRI_MODEL);
      }
      return;
    }
    this.jDem[j] = cpu;
    if (delay > 0) this.ev.push(this.now + delay, EV_QCPU, j, PRI_MODEL);
    else this.psStart(this.mShard + this.jPhase[j], j, cpu, PS_DONE);
  }

  /** A query's delay part ended: its cpu part runs on the shard's host. */
  protected queryCpu(j: number): void {
    this.psStart(this.mShard + this.jPhase[j], j, this.jDem[j], PS_DONE);
  }

  /** The query or call at job j's pc is done (its cpu part ended). */
  protected override stintDone(j: number): void {
    const pc = this.jPc[j];
    if (this.prog.op[pc] === OP_TXQ) {
      this.jPc[j] = pc + 1;
      this.resume(j);
    } else this.done(j);
  }

  /**
   * Job j's transaction commits: its commit record must be flushed on its shard. A flush in
   * progress covers only the commits it started with, so j waits for the next one (which covers
   * all commits waiting by then); with none in progress, a flush for j starts now.
   */
  protected commitFlush(j: number): void {
    const k = this.jPhase[j];
    if (this.flushBatch[k].length > 0) this.qPush(this.qFlush + k, j);
    else {
      this.grab(this.sFlush + k);
      this.flushBatch[k].push(j);
      this.startFlush(k);
    }
  }

  /** Shard k's flush starts: its disk part, then (with one) its CPU part (`flushDisk`). */
  private startFlush(k: number): void {
    let d = this.flushTime!.sample(this.rSvc);
    // now and then the disk stalls it (db.commit_stalls)
    if (this.stallTime !== null && this.rSvc.float() < this.stallShare)
      d += this.stallTime.sample(this.rSvc);
    // without a host for the shards, the CPU part is a delay too
    if (this.flushCpu !== null && this.mShard < 0) d += this.flushCpu.sample(this.rSvc);
    this.ev.push(this.now + d, EV_FLUSH, k, PRI_MODEL);
  }

  /** Shard k's flush has been to the disk: its CPU part runs on k's host, as the batch's first job. */
  protected flushDisk(k: number): void {
    if (this.flushCpu === null || this.mShard < 0) this.flushEnd(k);
    else
      this.psStart(
        this.mShard + k,
        this.flushBatch[k][0],
        this.flushCpu.sample(this.rSvc),
        PS_FLUSH,
      );
  }

  /**
   * Shard k's flush ended: the next starts at once if commits are waiting, covering all of them;
   * then the commits it covered go on past their FLUSH, in the order they arrived.
   */
  protected override flushEnd(k: number): void {
    const done = this.flushBatch[k];
    const q = this.qFlush + k;
    const st = this.sFlush + k;
    const next: number[] = [];
    while (this.qLen[q] > 0) {
      const w = this.qPop(q);
      this.waited(st, this.jWaitT[w]);
      next.push(w);
    }
    this.flushBatch[k] = next;
    if (next.length > 0) this.startFlush(k);
    else this.release(st);
    for (const j of done) {
      this.jPc[j]++;
      this.resume(j);
    }
  }

  /** Job j's transaction ends (or is unwound): its shard and connection are given back. */
  protected txRelease(j: number): void {
    const k = this.jPhase[j];
    if (this.connUsl) this.shardConn(k, -1);
    if (!this.shardMirror) this.serverFreed(this.qShard + k, this.sShard + k);
    this.poolRelease(this.jInst[j]);
  }

  /** A waiter for a shard or a service got its server (dbx / hosted services). */
  protected override grantWaiter(w: number): void {
    const pc = this.jPc[w];
    const o = this.prog.op[pc];
    if (o === OP_CALL) {
      const k = this.prog.b[pc];
      const d = this.dists[this.prog.a[pc]].sample(this.rSvc);
      if (this.svcMach[k] >= 0) this.psStart(this.svcMach[k], w, d, PS_DONE);
      else this.ev.push(this.now + d, EV_DONE, w, PRI_MODEL);
    } else if (this.dbx) this.shardGranted(w);
    else
      this.ev.push(this.now + this.dists[this.prog.a[pc]].sample(this.rSvc), EV_DONE, w, PRI_MODEL);
  }

  /** A connection of instance i's pool is given back: its next waiter takes it, or it idles. */
  protected poolRelease(i: number): void {
    const q = this.qPool + i;
    if (this.qLen[q] > 0) {
      const w = this.qPop(q);
      this.jWait[w] = 0;
      this.waited(this.sPool + i, this.jWaitT[w]);
      this.dbShard(w);
    } else {
      this.release(this.sPool + i);
    }
  }
}
