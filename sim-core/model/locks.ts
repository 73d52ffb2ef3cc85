// Per-key locks, the layer above model/workload.ts. Each lock step has its own table (lock steps
// do not contend across steps): per key, whether it is held, since when (for its utilisation),
// and a FIFO of waiting jobs (head and tail slots, linked through jNext/jPrev like a queue). A
// lock is granted at once when free (`lockGrant`); on release (`lockRelease`) it goes straight to
// the first waiter, which pays the step's overhead and goes on. A lock step over a big keyspace
// maps only the keys actually locked to table slots (`lockSlot`).
import type { Scenario } from '../schema';
import { Rng, Stream } from '../random';
import { Workload } from './workload';
import type { RunOptions } from './state';
import * as K from './state';

// the shared constants as module-local copies (state.ts says why)
const { EV_RESUME, PRI_MODEL } = K;

/** Lock steps over keyspaces up to this size keep a table per key; bigger ones map keys in use. */
const LOCK_DIRECT_KEYS = 1 << 18;

/** Lock tables, one per lock step. */
export abstract class Locks extends Workload {
  /**
   * Per lock step, per table slot: held or not, the first and last waiters (−1: none), the time
   * held since the last reset, and since when it is held.
   */
  protected readonly lkHeld: Uint8Array[] = [];
  protected readonly lkHead: Int32Array[] = [];
  protected readonly lkTail: Int32Array[] = [];
  protected readonly lkArea: Float64Array[] = [];
  protected readonly lkSince: Float64Array[] = [];
  /** Key → table slot for lock steps over big keyspaces (null: the key is the slot). */
  private readonly lkMap: (Map<number, number> | null)[] = [];
  /** Picks the waiter of a lock served in random order (a stream of its own). */
  private readonly rLock: Rng;

  constructor(s: Scenario, opts: RunOptions) {
    super(s, opts);
    this.rLock = new Rng(opts.seed, Stream.locks);
    for (let l = 0; l < this.L; l++) {
      const nk = this.prog.lockKeys[l] === 'user' ? s.keyspace.users : s.keyspace.items;
      // a table per key, or — for big keyspaces — per key actually locked, through a map
      const dense = nk > LOCK_DIRECT_KEYS;
      const n0 = dense ? 1024 : nk;
      this.lkMap.push(dense ? new Map() : null);
      this.lkHeld.push(new Uint8Array(n0));
      this.lkHead.push(new Int32Array(n0).fill(-1));
      this.lkTail.push(new Int32Array(n0).fill(-1));
      this.lkArea.push(new Float64Array(n0));
      this.lkSince.push(new Float64Array(n0));
    }
  }

  /** The table slot of `key` in lock l's tables (growing them for a big keyspace). */
  protected lockSlot(l: number, key: number): number {
    const m = this.lkMap[l];
    if (m === null) return key;
    let x = m.get(key);
    if (x === undefined) {
      x = m.size;
      m.set(key, x);
      const n = this.lkHeld[l].length;
      if (x >= n) {
        const held = new Uint8Array(2 * n);
        held.set(this.lkHeld[l]);
        this.lkHeld[l] = held;
        const head = new Int32Array(2 * n).fill(-1);
        head.set(this.lkHead[l]);
        this.lkHead[l] = head;
        const tail = new Int32Array(2 * n).fill(-1);
        tail.set(this.lkTail[l]);
        this.lkTail[l] = tail;
        const area = new Float64Array(2 * n);
        area.set(this.lkArea[l]);
        this.lkArea[l] = area;
        const since = new Float64Array(2 * n);
        since.set(this.lkSince[l]);
        this.lkSince[l] = since;
      }
    }
    return x;
  }

  protected lockGrant(l: number, key: number): void {
    const st = this.sLock + l;
    this.grab(st);
    this.lkHeld[l][key] = 1;
    this.lkSince[l][key] = this.now;
  }

  protected lockRelease(l: number, key: number): void {
    const st = this.sLock + l;
    const since = this.lkSince[l][key];
    this.lkArea[l][key] += this.now - since;
    const head = this.lkHead[l];
    let w = head[key];
    if (w >= 0) {
      if (this.prog.lockRandom[l]) w = this.anyWaiter(w);
      // hand the lock to the waiter (the first, or the one drawn), out of the list
      const p = this.jPrev[w];
      const n = this.jNext[w];
      if (p >= 0) this.jNext[p] = n;
      else head[key] = n;
      if (n >= 0) this.jPrev[n] = p;
      else this.lkTail[l][key] = p;
      this.jQ[w] = -1;
      this.jWait[w] = 0;
      this.qDec(st);
      this.lkSince[l][key] = this.now;
      this.waited(st, this.jWaitT[w]);
      const pc = this.jPc[w];
      const ov = this.prog.c[pc];
      this.jPc[w] = pc + 1;
      if (ov >= 0)
        this.ev.push(this.now + this.dists[ov].sample(this.rSvc), EV_RESUME, w, PRI_MODEL);
      else this.exec(w);
    } else {
      this.release(st);
      this.lkHeld[l][key] = 0;
    }
  }

  /** One of the waiters from `first` on, each alike. */
  private anyWaiter(first: number): number {
    let n = 0;
    for (let w = first; w >= 0; w = this.jNext[w]) n++;
    let k = this.rLock.int(n);
    let w = first;
    while (k-- > 0) w = this.jNext[w];
    return w;
  }
}
