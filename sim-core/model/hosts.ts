// Host machines, the layer above model/gateway.ts. CPU work on a host — cpu steps when
// `server.host` is set, the cpu part of queries on `db.host`, calls to a service on a host, a
// co-located load generator — runs on a PsMachine (../ps.ts) whose cores are shared by processor
// sharing; the machines are laid out in state.ts. A job's CPU there is a stint: `psStart` adds it
// to the machine, an EV_PS comes at the machine's next departure (`psDeparture`), and the job goes
// on as the stint's kind says (PS_RESUME, PS_DONE, PS_CLIENT, PS_POOLER, PS_FLUSH). A machine is
// also a station: busy cores and runnable jobs without a core are its areas, a stint's slowdown
// (how much longer than its demand it took, waking its core included) is its wait. A machine
// whose idle cores wake slowly (host.wake) defers a stint until its core is awake: the same EV_PS
// then admits it.
import { Gateway } from './gateway';
import * as K from './state';

// the shared constants as module-local copies (state.ts says why)
const { EV_PS, F_CLIENT, PRI_MODEL, PS_CLIENT, PS_DONE, PS_FLUSH, PS_POOLER, PS_RESUME } = K;

/** Host machines: processor-sharing stints and the co-located load generator. */
export abstract class Hosts extends Gateway {
  /** When each machine's pending EV_PS is due (an event at another time is stale). */
  private readonly psAt = new Float64Array(this.machines.length).fill(-1);

  /** Job j starts `d` ms of CPU on machine m, shared by processor sharing; `kind` says what follows. */
  protected psStart(m: number, j: number, d: number, kind: number): void {
    const mach = this.machines[m];
    if (mach.coldMs > 0) d += mach.coldExtra(this.now);
    this.jPs[j] = kind;
    this.jDem[j] = d;
    this.jWaitT[j] = this.now;
    const b0 = mach.busyCores();
    const n0 = mach.n + mach.deferred;
    if (mach.wakeMs > 0) {
      const w = mach.wakeDelay(this.now);
      if (w > 0) {
        // its core is asleep: it waits (in the run queue) until the core is awake, then psDeparture
        // admits it
        mach.defer(this.now + w, j);
        this.psAreas(m, b0, n0);
        this.psSchedule(m);
        return;
      }
    }
    mach.add(this.now, j, d);
    this.psAreas(m, b0, n0);
    this.psSchedule(m);
  }

  /**
   * Machine m's busy cores and runnable-but-waiting jobs (those waiting for a core to wake
   * included) went from (b0, n0 − b0) to now's.
   */
  private psAreas(m: number, b0: number, n0: number): void {
    const mach = this.machines[m];
    const st = this.sHost + m;
    const now = this.now;
    const b1 = mach.busyCores();
    const q1 = mach.n + mach.deferred - b1;
    this.stSumB[st] += (b0 - b1) * now;
    this.stBusy[st] = b1;
    this.stSumQ[st] += (n0 - b0 - q1) * now;
    this.stQ[st] = q1;
  }

  /** Makes sure an EV_PS comes at machine m's next departure. */
  private psSchedule(m: number): void {
    const t = this.machines[m].nextTime();
    if (t === this.psAt[m]) return;
    this.psAt[m] = t;
    if (t !== Infinity) this.ev.push(t, EV_PS, m, PRI_MODEL);
  }

  /** Machine m's next departure is due (false: the event is stale). */
  protected psDeparture(m: number, t: number): boolean {
    if (t !== this.psAt[m]) return false;
    this.psAt[m] = -1;
    const mach = this.machines[m];
    const b0 = mach.busyCores();
    const n0 = mach.n + mach.deferred;
    const woke = mach.admit(this.now);
    if (woke >= 0) {
      // a job whose core woke starts its stint (not a departure)
      mach.add(this.now, woke, this.jDem[woke]);
      this.psAreas(m, b0, n0);
      this.psSchedule(m);
      return true;
    }
    const j = mach.pop(this.now);
    this.psAreas(m, b0, n0);
    this.psSchedule(m);
    if (this.now >= this.warmMs) {
      // the stint's "wait": how much longer than its demand it took (the slowdown)
      const st = this.sHost + m;
      const w = this.now - this.jWaitT[j] - this.jDem[j];
      this.stWaitSum[st] += w > 0 ? w : 0; // never below zero by rounding
      this.stWaitN[st]++;
    }
    const kind = this.jPs[j];
    if (kind === PS_RESUME) this.resume(j);
    else if (kind === PS_DONE) this.stintDone(j);
    else if (kind === PS_POOLER) this.poolerDone(j);
    else if (kind === PS_FLUSH) this.flushEnd(this.jPhase[j]);
    else this.clientDone(j);
    return true;
  }

  /** A connection opens (+1) or closes (−1) on shard k, whose host's USL counts connections. */
  protected shardConn(k: number, delta: number): void {
    const m = this.mShard + k;
    this.machines[m].setConnections(this.now, (this.shConns[k] += delta));
    this.psSchedule(m);
  }

  /** A co-located load generator spends CPU before connection `conn` sends again after `think`. */
  protected clientBurst(conn: number, think: number): void {
    const j = this.alloc();
    this.jFlags[j] = F_CLIENT;
    this.jConn[j] = conn;
    this.jT0[j] = think;
    this.psStart(this.mClient, j, this.clientCpu!.sample(this.rSvc), PS_CLIENT);
  }

  private clientDone(j: number): void {
    const conn = this.jConn[j];
    const think = this.jT0[j];
    this.free(j);
    if (conn >= 0) this.scheduleSend(this.now + think, conn);
  }
}
