// The plan's search against exhaustive enumeration, on oracles whose answer is known: it returns
// the grid's cheapest feasible point while judging a small share of the grid, never judges a
// point twice, finds and works around clauses that are not monotone, treats what the replications
// could not decide as not met, and stops with the best so far when told to.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mmcResponseQuantile } from '../theory';
import {
  searchCheapest,
  SearchAborted,
  type ClauseOutcome,
  type GridIndex,
  type Judgement,
} from './search';

type Clauses = (ix: GridIndex) => ClauseOutcome[];

/** Every point of the grid, first dimension outermost. */
function* points(sizes: readonly number[]): Generator<number[]> {
  const ix = sizes.map(() => 0);
  for (;;) {
    yield [...ix];
    let d = sizes.length - 1;
    while (d >= 0 && ++ix[d] === sizes[d]) ix[d--] = 0;
    if (d < 0) return;
  }
}

/** The exhaustive answer: the cheapest point every clause passes (ties: grid order). */
function exhaustive(sizes: readonly number[], cost: (ix: GridIndex) => number, clauses: Clauses) {
  let best: number[] | null = null;
  for (const p of points(sizes))
    if (clauses(p).every((c) => c === 'pass') && (!best || cost(p) < cost(best) - 1e-9)) best = p;
  return best;
}

/** An oracle over `clauses` that counts what it is asked and refuses to judge a point twice. */
function oracle(clauses: Clauses, stopAfter = Infinity) {
  const asked = new Set<string>();
  const o = {
    asked,
    confirmed: 0,
    judge: async (ps: GridIndex[]): Promise<Judgement[]> =>
      ps.map((p) => {
        const k = p.join(',');
        if (asked.has(k)) throw new Error(`judged twice: ${k}`);
        if (asked.size >= stopAfter) throw new SearchAborted('stop');
        asked.add(k);
        return { clauses: clauses(p) };
      }),
    confirm: async (p: GridIndex): Promise<Judgement> => {
      o.confirmed++;
      return { clauses: clauses(p) };
    },
  };
  return o;
}

const pass = (ok: boolean): ClauseOutcome => (ok ? 'pass' : 'fail');
const size = (sizes: readonly number[]) => sizes.reduce((a, b) => a * b, 1);

/**
 * Two M/M/c stages in tandem: instances × handlers meet a P99 target, shards × shard concurrency
 * another (a pipeline whose first stage feeds the second, as the theory test of the CLI runs).
 */
function twoStages(p: {
  lambda: number;
  s1: number;
  s2: number;
  t1: number;
  t2: number;
  price: number[];
}) {
  const sizes = [6, 12, 6, 10];
  const v = (ix: GridIndex) => ix.map((i) => i + 1);
  const cost = (ix: GridIndex) => {
    const [n, c, s, q] = v(ix);
    return n * p.price[0] + n * c * p.price[1] + s * p.price[2] + s * q * p.price[3];
  };
  // P99 of each stage by (servers in parallel, servers each), computed once
  const p99 = (s: number, a: number, b: number) =>
    Array.from({ length: a }, (_, i) =>
      Array.from({ length: b }, (_, j) =>
        mmcResponseQuantile(p.lambda / (i + 1), 1 / s, j + 1, 0.99),
      ),
    );
  const first = p99(p.s1, sizes[0], sizes[1]);
  const second = p99(p.s2, sizes[2], sizes[3]);
  const clauses: Clauses = ([n, c, s, q]) => [
    pass(first[n][c] <= p.t1),
    pass(second[s][q] <= p.t2),
  ];
  return { sizes, cost, clauses };
}

describe('searchCheapest', { timeout: 30_000 }, () => {
  it('finds the exhaustive answer of two M/M/c stages judging under 3 % of 4,320 points', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          lambda: fc.double({ min: 0.5, max: 6, noNaN: true }),
          s1: fc.double({ min: 1, max: 5, noNaN: true }),
          s2: fc.double({ min: 1, max: 5, noNaN: true }),
          f1: fc.double({ min: 1.5, max: 10, noNaN: true }),
          f2: fc.double({ min: 1.5, max: 10, noNaN: true }),
          price: fc.array(fc.double({ min: 0, max: 5, noNaN: true }), {
            minLength: 4,
            maxLength: 4,
          }),
        }),
        async (r) => {
          const { sizes, cost, clauses } = twoStages({ ...r, t1: r.f1 * r.s1, t2: r.f2 * r.s2 });
          const o = oracle(clauses);
          const res = await searchCheapest({ sizes, cost, oracle: o, clauses: 2 });
          const truth = exhaustive(sizes, cost, clauses);
          expect(res.best === null).toBe(truth === null);
          if (truth) expect(cost(res.best!)).toBeCloseTo(cost(truth), 9);
          expect(res.evaluated).toBe(o.asked.size);
          expect(res.evaluated).toBeLessThan(0.03 * size(sizes));
          expect(res.breaks).toEqual([]);
          expect(res.partial).toBe(false);
          // every cheaper neighbour was judged, and fails
          for (const nb of res.neighbours) {
            expect(o.asked.has(nb.join(','))).toBe(true);
            expect(clauses(nb)).toContain('fail');
          }
        },
      ),
      { numRuns: 40, seed: 12 },
    );
  });

  it('finds a clause that is not monotone (more pool, more load on the workers) and still the answer', async () => {
    // workers × pool × instances × shards: more connections carry more requests, which the async
    // workers must keep up with; a pool too small misses the latency target
    const workers = [...Array(31).keys()].map((i) => i + 2);
    const pools = [10, 20, 30, 40, 50, 60, 70, 80];
    const shards = [1, 2, 4, 8];
    const sizes = [31, 8, 4, 4];
    let broken = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          need: fc.double({ min: 10, max: 40, noNaN: true }),
          perConn: fc.double({ min: 200, max: 300, noNaN: true }),
          perWorker: fc.double({ min: 400, max: 600, noNaN: true }),
          shardCap: fc.double({ min: 3000, max: 9000, noNaN: true }),
          price: fc.array(fc.double({ min: 0.001, max: 2, noNaN: true }), {
            minLength: 4,
            maxLength: 4,
          }),
        }),
        async (r) => {
          const v = (ix: GridIndex) => [workers[ix[0]], pools[ix[1]], ix[2] + 1, shards[ix[3]]];
          const cost = (ix: GridIndex) => {
            const [w, p, n, s] = v(ix);
            return n * r.price[0] + n * w * r.price[1] + n * p * r.price[2] + s * r.price[3];
          };
          const clauses: Clauses = (ix) => {
            const [w, p, n, s] = v(ix);
            const throughput = Math.min(p * n * r.perConn, s * r.shardCap, 20000);
            return [pass(p * n >= r.need), pass(w * n * r.perWorker >= throughput)];
          };
          const o = oracle(clauses);
          const res = await searchCheapest({ sizes, cost, oracle: o, clauses: 2 });
          const truth = exhaustive(sizes, cost, clauses);
          expect(cost(res.best!)).toBeCloseTo(cost(truth!), 9);
          if (res.breaks.length > 0) broken++;
          expect(res.evaluated).toBeLessThan(0.15 * size(sizes));
          // each break is real: the clause passes at `from` and fails one dimension higher
          for (const b of res.breaks) {
            expect(b.clause).toBe(1);
            expect(clauses(b.from)[1]).toBe('pass');
            expect(clauses(b.to)[1]).toBe('fail');
            expect(b.to.filter((x, d) => x !== b.from[d])).toHaveLength(1);
            expect(b.to[b.dim]).toBeGreaterThan(b.from[b.dim]);
          }
        },
      ),
      { numRuns: 40, seed: 5 },
    );
    // the assumption fails in most of these pipelines, and the search saw it
    expect(broken).toBeGreaterThan(20);
  });

  it('finds a clause that gets worse as a field grows (a queue too long for a delay target)', async () => {
    // capacity × queue length: a longer queue rejects less but delays more
    const sizes = [10, 10];
    const cost = (ix: GridIndex) => 3 * ix[0] + ix[1];
    const clauses: Clauses = ([cap, len]) => [pass(cap + len >= 9), pass(len <= 2 + cap / 3)];
    const o = oracle(clauses);
    const res = await searchCheapest({ sizes, cost, oracle: o, clauses: 2 });
    expect(res.best).toEqual(exhaustive(sizes, cost, clauses));
    expect(res.breaks.map((b) => [b.clause, b.dim])).toContainEqual([1, 1]);
  });

  it('reports no answer, having judged a few points, when even the largest fails', async () => {
    const o = oracle(() => ['pass', 'fail']);
    const res = await searchCheapest({ sizes: [20, 20, 20], cost: () => 1, oracle: o, clauses: 2 });
    expect(res.best).toBeNull();
    expect(res.evaluated).toBeLessThanOrEqual(3);
  });

  it('counts a point the replications could not decide as not meeting the SLO', async () => {
    // the cheapest point of the line is undecided; the next one passes
    const sizes = [12];
    const clauses: Clauses = ([i]) => [i < 5 ? 'fail' : i === 5 ? 'unsure' : 'pass'];
    const res = await searchCheapest({
      sizes,
      cost: ([i]) => i,
      oracle: oracle(clauses),
      clauses: 1,
    });
    expect(res.best).toEqual([6]);
    expect(res.breaks).toEqual([]);
  });

  it('stops when told to and returns the best point found feasible so far, marked partial', async () => {
    const { sizes, cost, clauses } = twoStages({
      lambda: 3,
      s1: 2,
      s2: 2,
      t1: 10,
      t2: 10,
      price: [1, 1, 1, 1],
    });
    const o = oracle(clauses, 8);
    const res = await searchCheapest({ sizes, cost, oracle: o, clauses: 2 });
    expect(res.partial).toBe(true);
    expect(res.evaluated).toBe(8);
    expect(res.best).not.toBeNull();
    expect(clauses(res.best!)).toEqual(['pass', 'pass']);
    const full = await searchCheapest({ sizes, cost, oracle: oracle(clauses), clauses: 2 });
    expect(cost(res.best!)).toBeGreaterThanOrEqual(cost(full.best!));
  });

  it('confirms the winner with more replications and searches on when it no longer holds', async () => {
    // the oracle's first look at point 3 is lucky; the confirmation shows it fails
    const sizes = [10];
    let confirmed = false;
    const res = await searchCheapest({
      sizes,
      cost: ([i]) => i,
      clauses: 1,
      oracle: {
        judge: async (ps) => ps.map(([i]) => ({ clauses: [pass(i >= 4 || i === 3)] })),
        confirm: async ([i]) => {
          if (i === 3) confirmed = true;
          return { clauses: [pass(i >= 4)] };
        },
      },
    });
    expect(confirmed).toBe(true);
    expect(res.best).toEqual([4]);
  });
});
