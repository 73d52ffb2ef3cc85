// The model's state, the bottom layer of PipelineSim (see ../model.ts for the layers above): the
// constants every layer shares (event kinds, job flags, error causes, outcomes, priorities), the
// configuration read from the scenario, where each station and queue sits in the flat arrays, the
// seeded random streams, the event list and the timer queues, the clock, the counters of the run,
// and the job slots.
//
// A request (or an async task) is a slot in preallocated typed arrays (`jPc`, `jInst`, … indexed by
// slot) moving through the compiled program; a slot is recycled when its job ends, so the hot path
// allocates nothing per event.
//
// Semantics chosen here:
// - Times are kept in milliseconds. The run covers [0, warmup + duration); the measured window is
//   [warmup, warmup + duration).
// - Keys: rank r of the Zipf law is key r-1, so user 0 is the hottest and lands on shard 0. Keys
//   are drawn only when a step needs them (`userOf`, `itemOf`).
// - Pools, async queues and workers are per instance (pool_size, queue_capacity and workers are
//   per-process settings, like a Go process's sql.DB and channel); shards and services are shared.
//
// How it stays fast: timeouts are constant per kind (client, pool acquire, each lock step), so
// each kind's timers expire in FIFO order and live in ring queues beside the event list (`timers`;
// the main loop takes the earliest of them, the list and the arrival stream). A timer is not
// cancelled: it carries the job's id or wait token, and one that no longer matches is stale.
import type { Scenario } from '../schema';
import { DBL0, EventList, TimerQueue } from '../engine';
import { PsMachine } from '../ps';
import { compileProgram, type CompiledProgram } from '../program';
import { Rng, Stream, Zipf } from '../random';
import { Sampler } from '../dist';
import { Histogram } from '../histogram';

// The constants below are small numbers that the hot paths compare and pass on. A module that
// uses them takes module-local copies (`const { EV_DONE, … } = K;` after its imports): V8 folds a
// module's own constants into optimised code, while an imported binding stays a load at every use
// and a longer bytecode, which counts against the inlining budgets (measured: 2–4 % on the seed
// profiles).

// ---- event kinds (below 16: the event list packs the kind in 4 bits)
export const EV_SEND = 1;
export const EV_DONE = 2; // a step holding a station (db, call) ends: release it, then go on
export const EV_RESUME = 3; // a pure delay (cpu, cache lookup, lock overhead) ends: go on at jPc
export const EV_FLUSH = 4; // a shard's commit flush ends (payload: the shard; db.ts)
export const EV_DOWN = 5;
export const EV_UP = 6;
export const EV_WARMUP = 7;
export const EV_BATCH = 8;
export const EV_WINDOW = 9;
export const EV_UNBLOCK = 10; // independent worker pool: a queued task starts, a blocked sender gets in
export const EV_PS = 11; // a host machine's next departure (stale when the machine rescheduled since)
export const EV_QCPU = 12; // a query's wait (round trip, I/O) ended: its CPU part starts on the shard's host
export const EV_SCALE = 13; // the autoscaler samples its metric and decides (scaler.ts)
export const EV_READY = 14; // a provisioned instance starts serving (payload: the instance)
export const EV_SLO = 15; // an SLO window ends (scaler.ts)

// what a job's processor-sharing stint ends in
export const PS_RESUME = 0; // go on at jPc (a cpu step; jPc was moved past it)
export const PS_DONE = 1; // the query or call at jPc is done
export const PS_CLIENT = 2; // a load generator's CPU before its next send
export const PS_POOLER = 3; // a statement's pass through the pooler: its query goes on (db.ts)
export const PS_FLUSH = 4; // a commit flush's CPU part, run by the batch's first job (db.ts)

export const PRI_CONTROL = 0;
export const PRI_MODEL = 1;

// ---- job flags
export const F_DONE = 1; // the client's outcome is decided
export const F_DEAD = 2; // skip the remaining steps (release locks only)
export const F_COHORT = 4; // arrived in the measured window
export const F_NOHANDLER = 8; // handler already given back (instance crashed)
export const F_TASK = 16;
export const F_CLIENT = 32; // not a request: a load generator's CPU burst

/** Error causes, in the order of `ErrorCounts`. */
export const CAUSES = [
  'backlog_full',
  'async_queue_full',
  'pool_timeout',
  'client_timeout',
  'instance_down',
  'lock_timeout',
  'service_full',
] as const;
export const C_BACKLOG = 0;
export const C_ASYNC = 1;
export const C_POOL = 2;
export const C_CLIENT = 3;
export const C_DOWN = 4;
export const C_LOCK = 5;
export const C_SERVICE = 6;

// outcome kinds
export const O_OK = 0;
export const O_REJECTED = 1;
export const O_FAILED = 2;
export const O_TIMEOUT = 3;

/** Closed loop: a connection sends at most once per 10 µs (ok) or per 1 ms after an instant error. */
export const MIN_CYCLE_OK = 0.01;
export const MIN_CYCLE_ERROR = 1;

/** jQ of a job waiting for a lock (it sits in the lock table's per-key FIFO, not a queue). */
export const LOCKQ = -2;

export const BAL_RR = 0;
export const BAL_LEAST = 1;
export const BAL_RANDOM = 2;
export const BAL_HASH = 3;

/** Options the runtime needs from `simulate`. */
export interface RunOptions {
  seed: number;
  series: boolean;
  onProgress?: (fraction: number) => void;
  shouldCancel?: () => boolean;
  /**
   * Run independent worker pools as queues solved at enqueue time (see `PipelineSim.lazy`); on by
   * default — false forces the general event-by-event path (tests compare the two).
   */
  lazyAsync?: boolean;
}

/** The model's shared state: configuration, layout, streams, clock, counters and job slots. */
export abstract class SimState {
  // ---- configuration
  readonly I: number;
  readonly S: number;
  /**
   * One shard with a server for every pooled connection of every instance: it never queues and is
   * busy exactly while a connection is, so its figures are the pools' (see shardMirror below)
   * instead of being counted a second time at every query.
   */
  protected readonly shardMirror: boolean;
  readonly svcNames: string[];
  readonly L: number;
  protected readonly conc: number;
  protected readonly backlogCap: number;
  protected readonly poolSize: number;
  protected readonly shardConc: number;
  protected readonly asyncCap: number;
  protected readonly workers: number;
  protected readonly svcConc: Int32Array;
  protected readonly svcQueue: Int32Array;
  readonly warmMs: number;
  readonly endMs: number;
  protected readonly series: boolean;
  protected readonly prog: CompiledProgram;
  protected readonly lockEnd: Int32Array;
  protected readonly dists: Sampler[] = [];
  protected readonly userZipf: Zipf;
  protected readonly itemZipf: Zipf;

  // ---- random streams
  protected readonly rArr: Rng;
  protected readonly rSvc: Rng;
  protected readonly rRoute: Rng;
  protected readonly rKeys: Rng;
  protected readonly rCache: Rng;
  protected readonly rThink: Rng;

  // ---- engine
  readonly ev = new EventList(4096);
  /**
   * Timeouts are constant per kind (client, pool acquire, each lock step), so each kind's timers
   * expire in FIFO order: they live in ring queues, off the heap. timers = [client, pool, lock…].
   */
  protected readonly clientTimers = new TimerQueue();
  protected readonly poolTimers = new TimerQueue();
  protected readonly lockTimers: TimerQueue[] = [];
  protected readonly timers: TimerQueue[];
  protected timerMin = Infinity;
  now = DBL0;
  events = 0;

  // ---- jobs (requests and tasks)
  private cap = 0;
  protected jPc = new Int32Array(0);
  protected jPhase = new Int32Array(0);
  protected jInst = new Int32Array(0);
  protected jUser = new Int32Array(0);
  protected jItem = new Int32Array(0);
  protected jT0 = new Float64Array(0);
  protected jWaitT = new Float64Array(0);
  protected jId = new Int32Array(0);
  protected jWait = new Int32Array(0);
  protected jQ = new Int32Array(0);
  protected jNext = new Int32Array(0);
  protected jPrev = new Int32Array(0);
  protected rNext = new Int32Array(0);
  protected rPrev = new Int32Array(0);
  protected jFlags = new Int32Array(0);
  protected jConn = new Int32Array(0);
  /** Processor sharing: what the stint ends in (PS_*) and its CPU demand. */
  protected jPs = new Int32Array(0);
  protected jDem = new Float64Array(0);
  private freeHead = -1;
  private idCounter = 0;

  // ---- layout: queues
  protected readonly qPool: number;
  protected readonly qAsync: number;
  protected readonly qSend: number;
  protected readonly qShard: number;
  protected readonly qSvc: number;
  /** The poolers' queues (one per shard, after the services'; none without db.pooler). */
  protected readonly qPooler: number;
  /** Commits waiting for their shard's next flush (one per shard; none without db.commit_flush). */
  protected readonly qFlush: number;
  protected readonly nQ: number;

  // ---- layout: stations
  readonly nSt: number;
  readonly sPool: number;
  readonly sAq: number;
  readonly sWork: number;
  readonly sShard: number;
  readonly sSvc: number;
  readonly sLock: number;
  /** Host machines' stations: sHost + machine. */
  readonly sHost: number;
  /** The poolers' stations, one per shard, after the machines' (none without db.pooler). */
  readonly sPooler: number;
  /** The commit flushes' stations, one per shard, after the poolers' (none without db.commit_flush). */
  readonly sFlush: number;

  // ---- host machines (processor sharing; none without `hosts`)
  /** Machines: the instances' (mInst + i), the shards' (mShard + k), services', a lone client's. */
  readonly machines: PsMachine[] = [];
  readonly mInst: number;
  readonly mShard: number;
  /** The shards' host counts connections for its USL (usl.n = "connections"). */
  protected readonly connUsl: boolean;
  /** Per shard: connections open on it (kept only when connUsl). */
  protected readonly shConns: Int32Array;
  /** Per service: its machine, or −1. */
  readonly svcMach: Int32Array;
  /** The machine a co-located load generator runs on (−1: none), and its CPU per request. */
  readonly mClient: number;
  /** The client's machine is one of its own (no instance, shard or service runs on its host). */
  readonly clientAlone: boolean;
  protected readonly clientCpu: Sampler | null;
  /** The load generator's CPU counts in the latency (hosts.*.client.in_latency). */
  protected readonly clientTimed: boolean;
  /** Host kind of each machine (for naming its station). */
  readonly machineHost: string[] = [];
  /** Queries take the general path (a host, a round trip, a split query or a transaction). */
  protected readonly dbx: boolean;
  /** Waiters for a shard or service are started by `grantWaiter` (dbx, or a service on a host). */
  protected readonly xWait: boolean;
  protected readonly rtt: number;
  /** db.pooler: the CPU a statement spends in it, and how many statements it runs at once. */
  protected readonly poolerCpu: Sampler | null;
  readonly poolerThreads: number;
  /** db.commit_flush: how long one flush waits for the disk (null: no flush). */
  protected readonly flushTime: Sampler | null;
  /** db.commit_flush's CPU part, run on the shard's host after the disk (null: none). */
  protected readonly flushCpu: Sampler | null;
  /** db.commit_stalls: the share of flushes the disk stalls, and how long (null: none). */
  protected readonly stallShare: number;
  protected readonly stallTime: Sampler | null;
  /** Per shard: the commits the flush in progress covers (empty: no flush in progress). */
  protected readonly flushBatch: number[][];
  /** There is a commit flush (db.commit_flush). */
  get flushing(): boolean {
    return this.flushTime !== null;
  }

  // ---- counters: cohort (arrived in the window)
  cArrived = 0;
  cOk = 0;
  cRejected = 0;
  cFailed = 0;
  cTimedOut = 0;
  readonly cErr = new Float64Array(7);
  // ---- window (completed in the window)
  wOk = 0;
  wErr = 0;
  wArrivals = 0;
  inFlight = 0;
  blocked = 0;
  // ---- async
  aEnqueued = 0;
  aCompleted = 0;
  aRejected = 0;
  aFailed = 0;
  aMaxBacklog = 0;
  readonly taskHist = new Histogram();
  // ---- latency: the current batch and series window (the probes close them)
  readonly latHist = new Histogram();
  protected readonly batchHist = new Histogram();
  protected batchOk = 0;
  protected batchLatSum = DBL0;
  protected readonly winHist = new Histogram();
  protected winArr = 0;
  protected winOk = 0;
  protected winErr = 0;
  /** Arrivals since the start (the forecast scaler's observed rate). */
  protected allArrivals = 0;
  // ---- the current SLO window (scaler.ts)
  protected sloOn = false;
  protected readonly sloHist = new Histogram();
  protected sloOk = 0;
  protected sloErrors = 0;

  /** Reads the scenario's configuration and lays out stations, queues and machines. */
  constructor(s: Scenario, opts: RunOptions) {
    const seed = opts.seed;
    this.series = opts.series;
    this.rArr = new Rng(seed, Stream.arrivals);
    this.rSvc = new Rng(seed, Stream.service);
    this.rRoute = new Rng(seed, Stream.routing);
    this.rKeys = new Rng(seed, Stream.keys);
    this.rCache = new Rng(seed, Stream.cache);
    this.rThink = new Rng(seed, Stream.think);

    // an autoscaled server has a slot for each instance it may run (scaler.ts)
    this.I = s.server.autoscale ? s.server.autoscale.max : s.server.instances;
    this.conc = s.server.concurrency;
    this.backlogCap = s.server.backlog;
    this.poolSize = s.db?.pool_size ?? 1;
    this.S = s.db?.shards ?? 0;
    this.shardConc = s.db?.shard_concurrency ?? 1;
    this.asyncCap = s.async?.queue_capacity ?? 0;
    this.workers = s.async?.workers ?? 0;
    this.svcNames = Object.keys(s.services).sort();
    this.svcConc = Int32Array.from(this.svcNames.map((n) => s.services[n].concurrency));
    this.svcQueue = Int32Array.from(this.svcNames.map((n) => s.services[n].queue));
    this.warmMs = s.warmup_s * 1000;
    this.endMs = (s.warmup_s + s.duration_s) * 1000;

    this.prog = compileProgram(s, this.dists, this.svcNames);
    this.shardMirror = this.S === 1 && this.shardConc >= this.I * this.poolSize;
    this.lockEnd = this.prog.lockEnd;
    this.userZipf = new Zipf(s.keyspace.users, s.keyspace.user_zipf_s);
    this.itemZipf = new Zipf(s.keyspace.items, s.keyspace.item_zipf_s);

    // host machines: each instance, shard and service that names a host is a machine of that kind
    const I = this.I;
    const nSvc = this.svcNames.length;
    const hosts = s.hosts ?? {};
    const machine = (name: string) => {
      const h = hosts[name];
      this.machineHost.push(name);
      this.machines.push(
        new PsMachine(
          h.cores,
          h.usl?.sigma,
          h.usl?.kappa,
          h.background,
          h.core_speedup,
          h.wake?.ms,
          h.wake?.after_idle_ms,
          h.cold_start_ms,
        ),
      );
      return this.machines.length - 1;
    };
    this.mInst = -1;
    this.mShard = -1;
    if (s.server.host !== undefined) {
      this.mInst = machine(s.server.host);
      for (let i = 1; i < I; i++) machine(s.server.host);
    }
    if (s.db?.host !== undefined) {
      this.mShard = machine(s.db.host);
      for (let k = 1; k < this.S; k++) machine(s.db.host);
    }
    this.connUsl = s.db?.host !== undefined && hosts[s.db.host].usl?.n === 'connections';
    this.shConns = new Int32Array(this.connUsl ? this.S : 0);
    this.svcMach = new Int32Array(nSvc).fill(-1);
    this.svcNames.forEach((name, k) => {
      const h = s.services[name].host;
      if (h !== undefined) this.svcMach[k] = machine(h);
    });
    const clientHost = Object.keys(hosts).find((name) => hosts[name].client !== undefined);
    this.clientCpu = clientHost !== undefined ? Sampler.of(hosts[clientHost].client!.cpu) : null;
    this.clientTimed = clientHost !== undefined && hosts[clientHost].client!.in_latency === true;
    const first = clientHost !== undefined ? this.machineHost.indexOf(clientHost) : -1;
    this.clientAlone = clientHost !== undefined && first < 0;
    this.mClient = clientHost === undefined ? -1 : first >= 0 ? first : machine(clientHost);
    // usl.n = "clients": a closed workload's clients, the same all run long
    const w = s.workload;
    if (w.type === 'closed')
      this.machines.forEach((m, i) => {
        if (hosts[this.machineHost[i]].usl?.n === 'clients') m.setConnections(0, w.connections);
      });
    this.rtt = s.db?.rtt_ms ?? 0;
    this.poolerCpu = s.db?.pooler ? Sampler.of(s.db.pooler.cpu) : null;
    this.poolerThreads = s.db?.pooler?.threads ?? 0;
    const nPooler = this.poolerCpu ? this.S : 0;
    const flush = s.db?.commit_flush;
    this.flushTime = !flush
      ? null
      : 'dist' in flush
        ? Sampler.of(flush)
        : Sampler.of(flush.wait ?? { dist: 'const', ms: 0 });
    this.flushCpu = flush && !('dist' in flush) ? Sampler.of(flush.cpu) : null;
    const stalls = flush ? s.db?.commit_stalls : undefined;
    this.stallShare = stalls?.per_flush ?? 0;
    this.stallTime = stalls ? Sampler.of(stalls.length) : null;
    const nFlush = this.flushTime ? this.S : 0;
    this.flushBatch = Array.from({ length: nFlush }, () => []);
    this.dbx = this.mShard >= 0 || this.rtt > 0 || this.prog.split;
    this.xWait = this.dbx || this.svcMach.some((m) => m >= 0);

    // queues: handler backlog[i], pool[i], async queue[i], blocked senders[i], shard[s], service[k]
    this.qPool = I;
    this.qAsync = 2 * I;
    this.qSend = 3 * I;
    this.qShard = 4 * I;
    this.qSvc = 4 * I + this.S;
    this.qPooler = 4 * I + this.S + nSvc;
    this.qFlush = this.qPooler + nPooler;
    this.nQ = this.qFlush + nFlush;
    // stations: handler[i], pool[i], async queue[i], workers[i], shard[s], service[k], lock[l],
    // host machine[m]
    this.L = this.prog.lockKeys.length;
    this.sPool = I;
    this.sAq = 2 * I;
    this.sWork = 3 * I;
    this.sShard = 4 * I;
    this.sSvc = 4 * I + this.S;
    this.sLock = 4 * I + this.S + nSvc;
    this.sHost = this.sLock + this.L;
    this.sPooler = this.sHost + this.machines.length;
    this.sFlush = this.sPooler + nPooler;
    this.nSt = this.sFlush + nFlush;

    for (let l = 0; l < this.L; l++) this.lockTimers.push(new TimerQueue());
    this.timers = [this.clientTimers, this.poolTimers, ...this.lockTimers];

    this.grow(256);
  }

  // ================================================================ job storage

  private grow(n: number): void {
    const old = this.cap;
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    const g64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.jPc = g32(this.jPc);
    this.jPhase = g32(this.jPhase);
    this.jInst = g32(this.jInst);
    this.jUser = g32(this.jUser);
    this.jItem = g32(this.jItem);
    this.jT0 = g64(this.jT0);
    this.jWaitT = g64(this.jWaitT);
    this.jId = g32(this.jId);
    this.jWait = g32(this.jWait);
    this.jQ = g32(this.jQ);
    this.jNext = g32(this.jNext);
    this.jPrev = g32(this.jPrev);
    this.rNext = g32(this.rNext);
    this.rPrev = g32(this.rPrev);
    this.jFlags = g32(this.jFlags);
    this.jConn = g32(this.jConn);
    this.jPs = g32(this.jPs);
    this.jDem = g64(this.jDem);
    // new slots onto the free list
    for (let i = n - 1; i >= old; i--) {
      this.jNext[i] = this.freeHead;
      this.freeHead = i;
    }
    this.cap = n;
  }

  protected alloc(): number {
    if (this.freeHead < 0) this.grow(this.cap * 2);
    const j = this.freeHead;
    this.freeHead = this.jNext[j];
    this.jQ[j] = -1;
    this.jWait[j] = 0;
    this.jPhase[j] = 0;
    this.idCounter = (this.idCounter + 1) | 0;
    if (this.idCounter === 0) this.idCounter = 1;
    this.jId[j] = this.idCounter;
    return j;
  }

  protected free(j: number): void {
    this.jId[j] = 0;
    this.jWait[j] = 0;
    this.jNext[j] = this.freeHead;
    this.freeHead = j;
  }

  /** A fresh token for a wait's timer (ids and tokens come from one counter, never 0). */
  protected nextToken(): number {
    this.idCounter = (this.idCounter + 1) | 0;
    if (this.idCounter === 0) this.idCounter = 1;
    return this.idCounter;
  }

  /** Queues a timer and keeps `timerMin`, the earliest deadline of all timer queues, current. */
  protected arm(q: TimerQueue, t: number, j: number, token: number): void {
    q.push(t, j, token);
    if (t < this.timerMin) this.timerMin = t;
  }

  /** The request's user key, drawn from the Zipf law the first time a step needs it. */
  protected userOf(j: number): number {
    let k = this.jUser[j];
    if (k < 0) {
      k = this.userZipf.sample(this.rKeys) - 1;
      this.jUser[j] = k;
    }
    return k;
  }

  /** The request's item key, drawn the first time a step needs it. */
  protected itemOf(j: number): number {
    let k = this.jItem[j];
    if (k < 0) {
      k = this.itemZipf.sample(this.rKeys) - 1;
      this.jItem[j] = k;
    }
    return k;
  }

  // ================================================================ calls up the layers
  // What a lower layer calls on a higher one: declared here, implemented in the module named
  // (the callers in brackets).

  // ---- gateway.ts
  /** Sets instance i's active count (stations: a backlog grows or shrinks). */
  protected abstract setActive(i: number, v: number): void;
  // ---- workload.ts
  /** Records a request's fate (gateway: a crash fails the requests it holds). */
  protected abstract outcome(
    cohort: boolean,
    t0: number,
    conn: number,
    kind: number,
    cause: number,
  ): void;
  /** Connection `conn` sends its next request at t (hosts: after a load generator's CPU). */
  protected abstract scheduleSend(t: number, conn: number): void;
  // ---- db.ts
  /** A waiter for a shard or a service got its server (stations: serverFreed). */
  protected abstract grantWaiter(w: number): void;
  /** The query or call at job j's pc is done (hosts: its CPU stint ended). */
  protected abstract stintDone(j: number): void;
  /** Job j's pass through its shard's pooler ended (hosts: its CPU stint ended). */
  protected abstract poolerDone(j: number): void;
  /** Shard k's commit flush ended (hosts: when its CPU part ends). */
  protected abstract flushEnd(k: number): void;
  // ---- async.ts
  /** Part of a solved worker pool's station area that lies after now (stations: areaB, areaQ). */
  protected abstract lazyFuture(st: number, queue: boolean): number;
  // ---- model.ts
  /** Request j starts its program on instance i, whose handler it holds (workload: arrive). */
  protected abstract start(j: number, i: number): void;
  /** Runs job j from its pc until it waits, starts a timed activity, or ends (locks, db, async). */
  protected abstract exec(j: number): void;
  /** Job j goes on at its pc, or ends if its request is dead (hosts, db). */
  protected abstract resume(j: number): void;
  /** A timed activity of job j ended (db: a query's CPU part). */
  protected abstract done(j: number): void;
  /** Cancels job j's wait (gateway: a crash). */
  protected abstract cancelWait(j: number): void;
  /** Releases the locks job j holds from instruction `from` on (gateway: a crash). */
  protected abstract unwind(j: number, from: number): void;
}
