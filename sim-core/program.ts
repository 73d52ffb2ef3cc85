// The compiled step program: a scenario's handler and async steps flattened into typed arrays of
// integer ops that the model's interpreter (PipelineSim.exec) runs — one instruction per step,
// a lock or a transaction as a begin/end pair that knows its end, queries as their distribution
// (or cpu and wait parts). Pure: no Node or DOM imports.
import type { Dist, Query, Scenario, Step } from './schema';
import { Sampler } from './dist';

// ---- program ops
export const OP_CPU = 0;
export const OP_CACHE = 1;
export const OP_DB = 2;
export const OP_CALL = 3;
export const OP_LOCK = 4;
export const OP_UNLOCK = 5;
export const OP_ENQ = 6;
export const OP_END = 7;
export const OP_HCPU = 8; // cpu on the instance's host (processor sharing)
export const OP_TXB = 9; // transaction begin: a pool connection and the key's shard, held to OP_TXE
export const OP_TXE = 10;
export const OP_TXQ = 11; // a query inside a transaction (on its connection and shard)
export const OP_WAIT = 12; // a constant delay (a statement's round trip)
export const OP_FLUSH = 13; // a transaction's commit waits for its shard's flush (db.commit_flush)

/** A compiled program (handler first, then async steps from `asyncStart`). */
export interface CompiledProgram {
  op: Int32Array;
  a: Int32Array;
  b: Int32Array;
  c: Int32Array;
  f: Float64Array;
  asyncStart: number;
  lockKeys: ('user' | 'item')[];
  /** Per lock step: its waiters are served in random order (else FIFO). */
  lockRandom: boolean[];
  /**
   * For a LOCK op, the pc of its matching UNLOCK; for a TXB op, of its TXE. With a commit flush,
   * the UNLOCKs of the locks a transaction takes follow its FLUSH, latest lock first.
   */
  lockEnd: Int32Array;
  /** Some query is split into cpu + wait, or there is a transaction. */
  split: boolean;
}

/**
 * Compiles handler and async steps into one flat program (handler first, then async). With a
 * host for the instances, cpu steps are OP_HCPU; inside a transaction, queries are OP_TXQ. A query
 * is `a` = its distribution (or its cpu part) and `c` = −1 (or its wait part).
 */
export function compileProgram(s: Scenario, dists: Sampler[], services: string[]): CompiledProgram {
  const hostCpu = s.server.host !== undefined;
  const rtt = s.db?.rtt_ms ?? 0;
  // with a pooler, BEGIN and COMMIT are statements through it: queries of no time of their own
  const pooled = s.db?.pooler !== undefined;
  // with a commit flush, a transaction's commit waits for it, and the locks taken inside are held
  // to the end of it (a database keeps row locks to commit): their UNLOCKs move after the FLUSH
  const flush = s.db?.commit_flush !== undefined;
  let held: { id: number; key: number; ov: number; at: number }[] = [];
  let split = false;
  const op: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  const f: number[] = [];
  const lockKeys: ('user' | 'item')[] = [];
  const lockRandom: boolean[] = [];
  const dist = (d: Dist) => {
    dists.push(Sampler.of(d));
    return dists.length - 1;
  };
  const query = (o: number, q: Query, k: number) => {
    if ('dist' in q) return emit(o, dist(q), k, -1);
    split = true;
    return emit(o, dist(q.cpu), k, dist(q.wait));
  };
  const emit = (o: number, x = 0, y = 0, z = 0, w = 0) => {
    op.push(o);
    a.push(x);
    b.push(y);
    c.push(z);
    f.push(w);
    return op.length - 1;
  };
  const key = (k: 'user' | 'item') => (k === 'user' ? 0 : 1);
  const walk = (steps: Step[], inTx = false) => {
    const dbOp = inTx ? OP_TXQ : OP_DB;
    for (const st of steps) {
      if ('cpu' in st) emit(hostCpu ? OP_HCPU : OP_CPU, dist(st.cpu));
      else if ('cache' in st) {
        const at = emit(OP_CACHE, dist(st.cache.lookup), key(st.cache.key), 0, st.cache.hit_ratio);
        query(dbOp, st.cache.miss_query, key(st.cache.key));
        c[at] = op.length;
      } else if ('db' in st) query(dbOp, st.db.query, key(st.db.key));
      else if ('transaction' in st) {
        split = true;
        const at = emit(OP_TXB, 0, key(st.transaction.key));
        const bare = () => emit(OP_TXQ, dist({ dist: 'const', ms: 0 }), 0, -1);
        if (pooled)
          bare(); // BEGIN
        else if (rtt > 0) emit(OP_WAIT, 0, 0, 0, rtt);
        walk(st.transaction.steps, true);
        if (pooled)
          bare(); // COMMIT
        else if (rtt > 0) emit(OP_WAIT, 0, 0, 0, rtt);
        if (flush) {
          emit(OP_FLUSH);
          // latest first: unwinding from a lock never taken skips to after its UNLOCK, past the
          // UNLOCKs of the (later, so also untaken) locks before it, never past a taken one's
          for (const h of held.reverse()) lockEnd.set(h.at, emit(OP_UNLOCK, h.id, h.key, h.ov));
          held = [];
        }
        lockEnd.set(at, emit(OP_TXE));
      } else if ('call' in st) emit(OP_CALL, dist(st.call.time), services.indexOf(st.call.service));
      else if ('lock' in st) {
        const id = lockKeys.length;
        lockKeys.push(st.lock.key);
        lockRandom.push(st.lock.order === 'random');
        const ov = st.lock.overhead ? dist(st.lock.overhead) : -1;
        const at = emit(OP_LOCK, id, key(st.lock.key), ov, st.lock.timeout_ms ?? 0);
        walk(st.lock.steps, inTx);
        // the LOCK remembers its UNLOCK so an aborting job can skip locks it never took
        if (inTx && flush) held.push({ id, key: key(st.lock.key), ov, at });
        else lockEnd.set(at, emit(OP_UNLOCK, id, key(st.lock.key), ov));
      } else if ('enqueue' in st) emit(OP_ENQ);
    }
  };
  const lockEnd = new Map<number, number>();
  walk(s.handler);
  emit(OP_END);
  const asyncStart = op.length;
  walk(s.async?.steps ?? []);
  emit(OP_END);
  const ends = new Int32Array(op.length);
  for (const [at, end] of lockEnd) ends[at] = end;
  return {
    op: Int32Array.from(op),
    a: Int32Array.from(a),
    b: Int32Array.from(b),
    c: Int32Array.from(c),
    f: Float64Array.from(f),
    asyncStart,
    lockKeys,
    lockRandom,
    lockEnd: ends,
    split,
  };
}
