// The search of a capacity plan: the cheapest point of a grid that meets every SLO clause, with
// far fewer evaluations than the grid has points. Pure (no timers, no I/O): it asks an oracle to
// judge points and waits for the verdicts, so it runs alike on worker threads, in a test, or on
// anything else that can evaluate points.
//
// It assumes capacity knobs are monotone, clause by clause: raising a field never turns a clause
// that is met into one that is not. Then what meets the SLO is an up-set of the grid, and:
// - descent: from the largest configuration, bisection along each dimension (the one whose
//   values cost most first) finds a minimal feasible point quickly, a first incumbent;
// - branch and bound: boxes of the grid, cheapest lower corner first. A box whose upper corner
//   fails a clause is dropped whole (everything below fails it too); a box whose lower corner
//   meets the SLO has its answer there; a box no cheaper than the incumbent is dropped (and its
//   upper corner is lowered to what could still be cheaper); the others are halved along their
//   widest dimension. Verdicts are inferred by dominance from those already known, so most points
//   are never run;
// - confirmation: the winner is judged again with more replications; each cheaper neighbour (one
//   step down in one dimension) is run, and so is the winner with each dimension raised to its
//   largest value.
// Where the assumption fails — a clause met at one point and surely missed at a point above it,
// among any two points run (the probes above look for exactly that) — the step that breaks it is
// located by walking from one to the other a dimension at a time. From then on that clause is not
// inferred across that dimension: a box failing it is split along that dimension until each value
// stands on its own, and the search goes on from what it knows.

/** A point: one index into each dimension's values (ascending). */
export type GridIndex = readonly number[];

/**
 * How one SLO clause fared at a point: `pass` (the confidence bound on the right side), `fail`
 * (surely on the wrong side) or `unsure` (the replications could not tell; not shown to meet).
 */
export type ClauseOutcome = 'pass' | 'fail' | 'unsure';

/** How a point was judged: one outcome per SLO clause. It meets the SLO when every clause passes. */
export interface Judgement {
  clauses: ClauseOutcome[];
}

export const meets = (j: Judgement): boolean => j.clauses.every((c) => c === 'pass');

/** Runs points; the search never asks `judge` twice for the same point. */
export interface Oracle {
  /** Judges new points (they may run in parallel). */
  judge(points: GridIndex[]): Promise<Judgement[]>;
  /** Judges an already judged point again with more replications (the winner). */
  confirm(point: GridIndex): Promise<Judgement>;
}

/** Thrown by an oracle when the search must stop (Ctrl+C): the search returns what it has. */
export class SearchAborted extends Error {
  override name = 'SearchAborted';
}

/** A clause found not to be monotone in a dimension, and the evidence. */
export interface MonotonicityBreak {
  clause: number;
  dim: number;
  /** The clause passes here … */
  from: GridIndex;
  /** … and surely fails here, the same point one or more steps higher in `dim`. */
  to: GridIndex;
}

export interface SearchOptions {
  /** Values per dimension. */
  sizes: readonly number[];
  /** Number of SLO clauses. */
  clauses: number;
  /** Cost of a point; must not decrease when any index rises. */
  cost: (ix: GridIndex) => number;
  oracle: Oracle;
  /** Points judged together in a batch of the branch and bound (default 2). */
  width?: number;
  /** Clause/dimension pairs known not to be monotone from the start. */
  nonMonotone?: ReadonlyArray<{ clause: number; dim: number }>;
  /** Called when a clause is found not to be monotone in a dimension. */
  onBreak?: (b: MonotonicityBreak) => void;
  /** Called when the incumbent improves. */
  onIncumbent?: (ix: GridIndex) => void;
}

export interface SearchResult {
  /** The cheapest point meeting the SLO, or null. */
  best: GridIndex | null;
  /** The winner's cheaper neighbours (one step down in one dimension), all judged. */
  neighbours: GridIndex[];
  /** Clause/dimension pairs found not to be monotone, with the evidence. */
  breaks: MonotonicityBreak[];
  /** The search was stopped (SearchAborted) before it finished: `best` is the best so far. */
  partial: boolean;
  /** Points judged. */
  evaluated: number;
}

interface Known {
  ix: GridIndex;
  clauses: ClauseOutcome[];
  feasible: boolean;
  /** Clauses not shown to pass (fail or unsure). */
  failing: number[];
}

interface Box {
  lo: number[];
  hi: number[];
  lb: number;
}

const EPS = 1e-9;

/** Finds the cheapest feasible point; see the module comment. */
export async function searchCheapest(opts: SearchOptions): Promise<SearchResult> {
  return new Search(opts).run();
}

class Search {
  private readonly sizes: readonly number[];
  private readonly k: number;
  /** mono[c][d]: clause c is taken to be monotone in dimension d (raising d never hurts it). */
  private readonly mono: boolean[][];
  private readonly known = new Map<string, Known>();
  private readonly feasibles: Known[] = [];
  private readonly infeasibles: Known[] = [];
  private readonly breaks: MonotonicityBreak[] = [];
  /** Points recorded since clashes were last looked for. */
  private fresh: Known[] = [];
  /** Clashes already looked into (lower>upper#clause). */
  private readonly explained = new Set<string>();
  private incumbent: number[] | null = null;
  private readonly width: number;

  constructor(private readonly opts: SearchOptions) {
    this.sizes = opts.sizes;
    this.k = opts.sizes.length;
    this.mono = Array.from({ length: opts.clauses }, () => opts.sizes.map(() => true));
    for (const { clause, dim } of opts.nonMonotone ?? []) this.mono[clause][dim] = false;
    this.width = Math.max(1, opts.width ?? 2);
  }

  // ---- order and inference

  private key = (ix: GridIndex) => ix.join(',');

  private le(a: GridIndex, b: GridIndex): boolean {
    for (let d = 0; d < this.k; d++) if (a[d] > b[d]) return false;
    return true;
  }

  /** Clause c is taken to be monotone in every dimension where a and b differ. */
  private monoAlong(c: number, a: GridIndex, b: GridIndex): boolean {
    const m = this.mono[c];
    for (let d = 0; d < this.k; d++) if (a[d] !== b[d] && !m[d]) return false;
    return true;
  }

  private allMonoAlong(a: GridIndex, b: GridIndex): boolean {
    for (let c = 0; c < this.mono.length; c++) if (!this.monoAlong(c, a, b)) return false;
    return true;
  }

  /** a is cheaper than b (ties: the lower grid position, first dimension outermost). */
  private better(a: GridIndex, b: GridIndex | null): boolean {
    if (!b) return true;
    const ca = this.opts.cost(a);
    const cb = this.opts.cost(b);
    const tol = EPS * Math.max(1, Math.abs(ca), Math.abs(cb));
    if (ca < cb - tol) return true;
    if (ca > cb + tol) return false;
    for (let d = 0; d < this.k; d++) if (a[d] !== b[d]) return a[d] < b[d];
    return false;
  }

  /** x is shown infeasible by z ≥ x: a clause z does not pass, monotone from x up to z. */
  private downFrom(x: GridIndex, z: Known): boolean {
    if (!this.le(x, z.ix)) return false;
    return z.failing.some((c) => this.monoAlong(c, x, z.ix));
  }

  /** Whether a point meets the SLO as known or inferred, or null (unknown, or inferences clash). */
  private status(ix: GridIndex): boolean | null {
    const kn = this.known.get(this.key(ix));
    if (kn) return kn.feasible;
    const up = this.feasibles.some((y) => this.le(y.ix, ix) && this.allMonoAlong(y.ix, ix));
    const down = this.infeasibles.some((z) => this.downFrom(ix, z));
    if (up === down) return null;
    return up;
  }

  /** Every point of the box is shown infeasible by one known point above its upper corner. */
  private dead(box: Box): boolean {
    return this.infeasibles.some((z) => {
      if (!this.le(box.hi, z.ix)) return false;
      return z.failing.some((c) => {
        const m = this.mono[c];
        for (let d = 0; d < this.k; d++) if (box.lo[d] !== z.ix[d] && !m[d]) return false;
        return true;
      });
    });
  }

  private consider(ix: GridIndex) {
    if (this.better(ix, this.incumbent)) {
      this.incumbent = [...ix];
      this.opts.onIncumbent?.(this.incumbent);
    }
  }

  // ---- running points

  private record(ix: GridIndex, j: Judgement) {
    const k = this.key(ix);
    const prev = this.known.get(k);
    if (prev) {
      const list = prev.feasible ? this.feasibles : this.infeasibles;
      list.splice(list.indexOf(prev), 1);
    }
    const failing: number[] = [];
    j.clauses.forEach((c, i) => {
      if (c !== 'pass') failing.push(i);
    });
    const kn: Known = {
      ix: [...ix],
      clauses: [...j.clauses],
      feasible: failing.length === 0,
      failing,
    };
    this.known.set(k, kn);
    (kn.feasible ? this.feasibles : this.infeasibles).push(kn);
    this.fresh.push(kn);
  }

  /** Judges the points not judged yet; returns whether each meets the SLO. */
  private async judge(points: GridIndex[]): Promise<boolean[]> {
    const todo: GridIndex[] = [];
    const seen = new Set<string>();
    for (const p of points) {
      const k = this.key(p);
      if (!this.known.has(k) && !seen.has(k)) {
        seen.add(k);
        todo.push(p);
      }
    }
    if (todo.length > 0) {
      const js = await this.opts.oracle.judge(todo);
      todo.forEach((p, i) => this.record(p, js[i]));
    }
    return points.map((p) => this.known.get(this.key(p))!.feasible);
  }

  // ---- monotonicity

  /** A clause that passes at a point and surely fails at one above it, both judged, or null. */
  private nextClash(): { lo: Known; hi: Known; clause: number } | null {
    while (this.fresh.length > 0) {
      const p = this.fresh[0];
      for (const q of this.known.values()) {
        if (q === p) continue;
        const [lo, hi] = this.le(p.ix, q.ix) ? [p, q] : this.le(q.ix, p.ix) ? [q, p] : [null, null];
        if (!lo || !hi) continue;
        for (let c = 0; c < lo.clauses.length; c++) {
          if (lo.clauses[c] !== 'pass' || hi.clauses[c] !== 'fail') continue;
          if (!this.monoAlong(c, lo.ix, hi.ix)) continue;
          const id = `${this.key(lo.ix)}>${this.key(hi.ix)}#${c}`;
          if (this.explained.has(id)) continue;
          this.explained.add(id);
          return { lo, hi, clause: c };
        }
      }
      this.fresh.shift();
    }
    return null;
  }

  /**
   * Walks from the point where the clause passes to the one where it fails, a dimension at a
   * time; the step from passing to surely failing names a dimension the clause is not monotone
   * in. Returns whether one was found (a step to a point the replications could not decide is
   * taken for noise).
   */
  private async explain(lo: GridIndex, hi: GridIndex, c: number): Promise<boolean> {
    let cur = [...lo];
    for (let d = 0; d < this.k; d++) {
      if (cur[d] === hi[d]) continue;
      const next = [...cur];
      next[d] = hi[d];
      await this.judge([next]);
      const out = this.known.get(this.key(next))!.clauses[c];
      if (out === 'unsure') return false;
      if (out === 'fail') {
        if (!this.mono[c][d]) return false;
        this.mono[c][d] = false;
        const b: MonotonicityBreak = { clause: c, dim: d, from: cur, to: next };
        this.breaks.push(b);
        this.opts.onBreak?.(b);
        return true;
      }
      cur = next;
    }
    return false;
  }

  /** Looks into clashes until none is left; true when an assumption was dropped. */
  private async resolveClashes(): Promise<boolean> {
    let changed = false;
    for (let c = this.nextClash(); c; c = this.nextClash()) {
      if (await this.explain(c.lo.ix, c.hi.ix, c.clause)) changed = true;
    }
    return changed;
  }

  // ---- phases

  async run(): Promise<SearchResult> {
    let partial = false;
    let neighbours: GridIndex[] = [];
    try {
      await this.descend();
      for (;;) {
        await this.resolveClashes();
        await this.branchAndBound();
        if (!this.incumbent) break;
        if ((await this.confirm()) === 'stable') {
          neighbours = this.neighboursOf(this.incumbent);
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof SearchAborted)) throw e;
      partial = true;
      // the best point actually run and found feasible
      this.incumbent = null;
      for (const f of this.feasibles)
        if (this.better(f.ix, this.incumbent)) this.incumbent = [...f.ix];
    }
    return {
      best: this.incumbent,
      neighbours,
      breaks: [...this.breaks],
      partial,
      evaluated: this.known.size,
    };
  }

  /** The largest point, then bisection along each dimension, then probes raising each one. */
  private async descend() {
    const top = this.sizes.map((n) => n - 1);
    const [ok] = await this.judge([top]);
    if (!ok) {
      // Nothing meets the SLO if the knobs are monotone; a look at the smallest and the middle
      // point tells whether they are not.
      await this.judge([this.sizes.map(() => 0), this.sizes.map((n) => Math.floor((n - 1) / 2))]);
      return;
    }
    const x = [...top];
    const drop = (d: number) => {
      const low = [...top];
      low[d] = 0;
      return this.opts.cost(top) - this.opts.cost(low);
    };
    const order = [...Array(this.k).keys()].sort((a, b) => drop(b) - drop(a) || a - b);
    for (const d of order) {
      let lo = 0;
      let hi = x[d];
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        const p = [...x];
        p[d] = mid;
        const v = this.status(p) ?? (await this.judge([p]))[0];
        if (v) hi = mid;
        else lo = mid + 1;
      }
      x[d] = hi;
    }
    if (this.status(x)) this.consider(x);
    await this.raiseProbes(x);
  }

  /** Runs `x` and `x` with each dimension raised to its largest value. */
  private async raiseProbes(x: GridIndex) {
    const probes: number[][] = [];
    for (let d = 0; d < this.k; d++) {
      if (x[d] === this.sizes[d] - 1) continue;
      const p = [...x];
      p[d] = this.sizes[d] - 1;
      probes.push(p);
    }
    await this.judge([x, ...probes]);
  }

  private neighboursOf(x: GridIndex): GridIndex[] {
    const out: GridIndex[] = [];
    for (let d = 0; d < this.k; d++) {
      if (x[d] === 0) continue;
      const p = [...x];
      p[d]--;
      out.push(p);
    }
    return out;
  }

  /**
   * Confirms the incumbent: more replications, its cheaper neighbours, the raise probes.
   * 'stable' when all agree; 'again' when the search must go on (a verdict or an assumption
   * changed).
   */
  private async confirm(): Promise<'stable' | 'again'> {
    const w = this.incumbent!;
    await this.judge([w]);
    this.record(w, await this.opts.oracle.confirm(w));
    await this.judge(this.neighboursOf(w));
    await this.raiseProbes(w);
    const changed = await this.resolveClashes();
    const stillFeasible = this.known.get(this.key(w))!.feasible;
    const cheaper = this.neighboursOf(w).some((p) => this.known.get(this.key(p))!.feasible);
    if (changed || !stillFeasible || cheaper) {
      this.incumbent = null;
      return 'again';
    }
    return 'stable';
  }

  /** Best-first branch and bound over boxes (see the module comment). */
  private async branchAndBound(): Promise<void> {
    this.incumbent = null;
    for (const f of this.feasibles) this.consider(f.ix);

    const heap = new BoxHeap((a, b) => this.boxBefore(a, b));
    const lo0 = this.sizes.map(() => 0);
    heap.push({ lo: lo0, hi: this.sizes.map((n) => n - 1), lb: this.opts.cost(lo0) });

    for (;;) {
      const batch: GridIndex[] = [];
      const waiting: Box[] = [];
      while (heap.size > 0 && batch.length < this.width) {
        const box = heap.peek()!;
        if (this.incumbent && !this.better(box.lo, this.incumbent)) break;
        heap.pop();
        this.clamp(box);
        if (this.dead(box)) continue;
        const sHi = this.status(box.hi);
        if (sHi === null) {
          if (!batch.some((p) => this.key(p) === this.key(box.hi))) batch.push([...box.hi]);
          waiting.push(box);
          continue;
        }
        if (sHi) {
          this.consider(box.hi);
          if (this.key(box.lo) === this.key(box.hi)) continue;
          if (this.status(box.lo) === true) {
            this.consider(box.lo);
            continue;
          }
        }
        for (const half of this.split(box, sHi)) heap.push(half);
      }
      if (batch.length === 0) return;
      await this.judge(batch);
      for (const b of waiting) heap.push(b);
      if (await this.resolveClashes()) return this.branchAndBound();
    }
  }

  private boxBefore(a: Box, b: Box): boolean {
    const tol = EPS * Math.max(1, Math.abs(a.lb), Math.abs(b.lb));
    if (a.lb < b.lb - tol) return true;
    if (a.lb > b.lb + tol) return false;
    for (let d = 0; d < this.k; d++) if (a.lo[d] !== b.lo[d]) return a.lo[d] < b.lo[d];
    return false;
  }

  /** Lowers the box's upper corner where every point beyond would cost no less than the incumbent. */
  private clamp(box: Box) {
    if (!this.incumbent) return;
    for (let d = 0; d < this.k; d++) {
      while (box.hi[d] > box.lo[d]) {
        const p = [...box.lo];
        p[d] = box.hi[d];
        if (this.better(p, this.incumbent)) break;
        box.hi[d]--;
      }
    }
  }

  /**
   * Halves the box along its widest dimension; when its upper corner fails but that does not
   * settle the box (a failing clause is not monotone in some dimension), along the widest of those.
   */
  private split(box: Box, hiFeasible: boolean): Box[] {
    let allowed = (_d: number) => true;
    if (!hiFeasible) {
      const failing = new Set<number>();
      const kn = this.known.get(this.key(box.hi));
      if (kn) kn.failing.forEach((c) => failing.add(c));
      else
        for (const z of this.infeasibles)
          if (this.downFrom(box.hi, z)) z.failing.forEach((c) => failing.add(c));
      const blocking = (d: number) => [...failing].some((c) => !this.mono[c][d]);
      if ([...Array(this.k).keys()].some((d) => box.hi[d] > box.lo[d] && blocking(d)))
        allowed = blocking;
    }
    let d = -1;
    for (let i = 0; i < this.k; i++) {
      if (box.hi[i] === box.lo[i] || !allowed(i)) continue;
      if (d < 0 || box.hi[i] - box.lo[i] > box.hi[d] - box.lo[d]) d = i;
    }
    if (d < 0) return [];
    const mid = Math.floor((box.lo[d] + box.hi[d]) / 2);
    const aHi = [...box.hi];
    aHi[d] = mid;
    const bLo = [...box.lo];
    bLo[d] = mid + 1;
    return [
      { lo: [...box.lo], hi: aHi, lb: box.lb },
      { lo: bLo, hi: [...box.hi], lb: this.opts.cost(bLo) },
    ];
  }
}

/** A binary min-heap of boxes. */
class BoxHeap {
  private readonly a: Box[] = [];
  constructor(private readonly before: (x: Box, y: Box) => boolean) {}
  get size() {
    return this.a.length;
  }
  peek(): Box | undefined {
    return this.a[0];
  }
  push(b: Box) {
    const a = this.a;
    a.push(b);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): Box | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(a[l], a[m])) m = l;
        if (r < a.length && this.before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
