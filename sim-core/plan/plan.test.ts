// The capacity plan on real simulations (in this thread): replications with common random
// numbers, more of them only where a clause is close, a verdict only on confident intervals, the
// report (cost, intervals, why each cheaper neighbour fails, the Pareto front), a field found not
// to be monotone, a plan stopped early, and a grid where nothing meets the SLO.
import { describe, expect, it } from 'vitest';
import type { SimResult } from '../result';
import { mmcResponseQuantile } from '../theory';
import { validateScenario } from '../validate';
import { CostModel } from './cost';
import { localRunner } from './local';
import { runPlan, type PlanDim, type RunReplication } from './plan';
import { parsePlanSlo } from './slo';

/** M/M/c per instance: 1,000 requests/s of 9 ms exponential work, split at random. */
const mmc = {
  schema: 'peakline.scenario/v1',
  name: 'M/M/c',
  seed: 11,
  duration_s: 2,
  warmup_s: 0.2,
  workload: { type: 'open', rate_rps: 1000 },
  gateway: { balancer: 'random' },
  server: { instances: 1, concurrency: 1 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 9 } }],
};
const mmcDims: PlanDim[] = [
  { path: 'server.instances', values: [1, 2, 3] },
  { path: 'server.concurrency', values: [1, 2, 3, 4, 5, 6, 7, 8] },
];
const theoryP99 = (n: number, c: number) => mmcResponseQuantile(1 / n, 1 / 9, c, 0.99);

function costModel(input: unknown, prices: Record<string, number>, dims: PlanDim[]) {
  const v = validateScenario(input);
  if (!v.ok) throw new Error('bad scenario');
  return new CostModel(
    v.scenario,
    { prices },
    dims.map((d) => d.path),
  );
}

/** A runner that remembers which seeds each configuration ran. */
function recording(input: unknown, dims: PlanDim[]) {
  const run = localRunner(
    input,
    dims.map((d) => d.path),
  );
  const seeds = new Map<string, number[]>();
  const wrapped: RunReplication = (values, seed) => {
    const k = values.join(',');
    seeds.set(k, [...(seeds.get(k) ?? []), seed]);
    return run(values, seed);
  };
  return { run: wrapped, seeds };
}

// real simulations: a budget that holds on a machine busy with other work
describe('runPlan', { timeout: 30_000 }, () => {
  it('runs every configuration with the same seeds and more replications only near a threshold', async () => {
    // P99 ≤ 1.05 × the theory's P99 of 2 instances × 6 handlers: that one is close, most are not
    const target = 1.05 * theoryP99(2, 6);
    const { run, seeds } = recording(mmc, mmcDims);
    const r = await runPlan(
      {
        name: 'M/M/c',
        dims: mmcDims,
        slo: parsePlanSlo(`p99<=${target}`),
        cost: costModel(mmc, { 'server.instances': 2, 'server.concurrency': 1 }, mmcDims),
        seed: 11,
        replications: 3,
        maxReplications: 12,
      },
      run,
    );
    // replication r of every configuration ran seed 11 + r: common random numbers
    for (const s of seeds.values())
      expect(s.sort((a, b) => a - b)).toEqual(s.map((_, i) => 11 + i));
    const counts = r.configurations.map((c) => c.replications);
    expect(Math.min(...counts)).toBe(3);
    expect(Math.max(...counts)).toBeLessThanOrEqual(12);
    expect(r.replications).toMatchObject({ initial: 3, max: 12, confirm: 6 });
    expect(r.replications.total).toBe(counts.reduce((a, b) => a + b, 0));
    // the winner is confirmed with more replications, and its bound is under the threshold
    expect(r.best!.replications).toBeGreaterThanOrEqual(6);
    expect(r.best!.ci95.p99.high).toBeLessThanOrEqual(target);
    expect(r.best!.clauses[0].outcome).toBe('pass');
    // what the initial replications settled kept them; the others got more until settled or
    // at the most
    for (const c of r.configurations) {
      const settled = c.clauses.every((x) => x.outcome !== 'unsure');
      if (c.replications === 3) expect(settled).toBe(true);
      else if (c !== r.best) expect(settled || c.replications === 12).toBe(true);
    }
    expect(r.replications.adaptive).toBeGreaterThan(0);
  });

  it('reports the cheapest configuration meeting the SLO, its cost, why cheaper ones fail, and the Pareto front', async () => {
    // halfway (geometrically) between two theoretical P99s of the grid, far from both
    const all = mmcDims[0].values
      .flatMap((n) => mmcDims[1].values.map((c) => theoryP99(n, c)))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    let i = 1;
    for (let k = 2; k < all.length; k++) if (all[k] / all[k - 1] > all[i] / all[i - 1]) i = k;
    expect(all[i] / all[i - 1]).toBeGreaterThan(1.3);
    const target = Math.sqrt(all[i] * all[i - 1]);
    const prices = { 'server.instances': 3, 'server.concurrency': 1 };
    const cost = costModel(mmc, prices, mmcDims);
    const r = await runPlan(
      { name: 'M/M/c', dims: mmcDims, slo: parsePlanSlo(`p99<=${target}`), cost, seed: 11 },
      localRunner(
        mmc,
        mmcDims.map((d) => d.path),
      ),
    );
    // the theory's answer: the cheapest (instances, handlers) whose P99 is under the target
    let truth: [number, number] | null = null;
    for (const n of mmcDims[0].values)
      for (const c of mmcDims[1].values)
        if (
          theoryP99(n, c) <= target &&
          (!truth || n * 3 + n * c < truth[0] * 3 + truth[0] * truth[1])
        )
          truth = [n, c];
    expect(r.feasible).toBe(true);
    expect(r.best!.params).toEqual({
      'server.instances': truth![0],
      'server.concurrency': truth![1],
    });
    // cost: instances × 3 + instances × handlers × 1 (handlers exist once per instance)
    expect(r.best!.cost).toBe(truth![0] * 3 + truth![0] * truth![1]);
    expect(r.best!.cost_items.find((x) => x.path === 'server.concurrency')).toMatchObject({
      multiplier: truth![0],
      per: 'server.instances',
    });
    expect(r.best!.ci95.p99.low).toBeLessThanOrEqual(r.best!.metrics.p99);
    expect(Object.keys(r.best!.metrics)).toEqual(
      expect.arrayContaining(['p50', 'p99', 'p999', 'mean', 'error_rate', 'throughput']),
    );
    // each cheaper neighbour misses the P99 clause, and says which station saturated
    expect(r.neighbours.length).toBeGreaterThan(0);
    for (const nb of r.neighbours) {
      expect(nb.meets_slo).toBe(false);
      expect(nb.cost).toBeLessThan(r.best!.cost);
      expect(nb.failed[0]).toMatch(/^p99<=/);
      if (nb.metrics.p99 > 3 * target) expect(nb.saturated).toBe('instances');
    }
    // the Pareto front: cheapest first, each faster than every cheaper one, the winner first
    expect(r.pareto[0].params).toEqual(r.best!.params);
    for (let k = 1; k < r.pareto.length; k++) {
      expect(r.pareto[k].cost).toBeGreaterThan(r.pareto[k - 1].cost);
      expect(r.pareto[k].p99).toBeLessThan(r.pareto[k - 1].p99);
    }
    expect(r.evaluated).toBe(r.configurations.length);
    expect(r.grid_size).toBe(24);
    expect(r.monotonicity).toEqual([]);
  });

  it('finds that a bigger DB pool fills the async queue, says so, and still answers', async () => {
    // 64 closed connections; the pool bounds the throughput, the workers must keep up with it
    const pipeline = {
      schema: 'peakline.scenario/v1',
      name: 'closed pipeline',
      seed: 1,
      duration_s: 2,
      warmup_s: 0.3,
      workload: { type: 'closed', connections: 64, think_ms: 0 },
      server: { concurrency: 256 },
      handler: [{ db: { key: 'user', query: { dist: 'exp', mean_ms: 2 } } }, { enqueue: {} }],
      async: {
        queue_capacity: 500,
        when_full: 'block',
        workers: 4,
        steps: [{ cpu: { dist: 'exp', mean_ms: 1 } }],
      },
      db: { pool_size: 4, acquire_timeout_ms: 0, shard_concurrency: 64 },
    };
    const dims: PlanDim[] = [
      { path: 'async.workers', values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
      { path: 'db.pool_size', values: [2, 4, 6, 8, 10, 12, 14, 16] },
    ];
    const notes: string[] = [];
    const r = await runPlan(
      {
        name: 'pipeline',
        dims,
        slo: parsePlanSlo('p99<=60,backlog_max<=300'),
        cost: costModel(pipeline, { 'async.workers': 1, 'db.pool_size': 1 }, dims),
        seed: 1,
      },
      localRunner(
        pipeline,
        dims.map((d) => d.path),
      ),
      { onNote: (n) => notes.push(n) },
    );
    expect(r.monotonicity.map((m) => [m.clause, m.path])).toContainEqual([
      'backlog_max<=300',
      'db.pool_size',
    ]);
    expect(notes[0]).toMatch(
      /^backlog_max<=300 is not monotone in db\.pool_size: met at db\.pool_size=\d+, missed at db\.pool_size=\d+ \(async\.workers=\d+\): backlog_max .* → .* \(change \+.*\), workers saturated/,
    );
    expect(r.best!.meets_slo).toBe(true);
    for (const nb of r.neighbours) expect(nb.meets_slo).toBe(false);
  });

  it('stops when asked and reports the best configuration run so far, marked partial', async () => {
    const signal = { aborted: false };
    const r = await runPlan(
      {
        name: 'M/M/c',
        dims: mmcDims,
        slo: parsePlanSlo('p99<=100'),
        cost: costModel(mmc, { 'server.concurrency': 1 }, mmcDims),
        seed: 11,
      },
      localRunner(
        mmc,
        mmcDims.map((d) => d.path),
      ),
      {
        signal,
        onProgress: (p) => {
          if (p.best) signal.aborted = true;
        },
      },
    );
    expect(r.partial).toBe(true);
    expect(r.feasible).toBe(true);
    expect(r.best!.meets_slo).toBe(true);
    expect(r.evaluated).toBeLessThan(r.grid_size);
  });

  it('says when nothing in the grid meets the SLO, and how the largest configuration fails', async () => {
    const r = await runPlan(
      {
        name: 'M/M/c',
        dims: mmcDims,
        slo: parsePlanSlo('p99<=3,error_rate<=0.01'),
        cost: costModel(mmc, {}, mmcDims),
        seed: 11,
      },
      localRunner(
        mmc,
        mmcDims.map((d) => d.path),
      ),
    );
    expect(r.feasible).toBe(false);
    expect(r.best).toBeNull();
    expect(r.largest!.params).toEqual({ 'server.instances': 3, 'server.concurrency': 8 });
    expect(r.largest!.failed).toHaveLength(1);
    expect(r.largest!.failed[0]).toMatch(/^p99<=3 \(/);
    expect(r.evaluated).toBeLessThanOrEqual(3);
  });

  it('names the configuration a replication failed at', async () => {
    const failing: RunReplication = async (values): Promise<SimResult> => {
      throw new Error(`no such thing as ${values[0]} instances`);
    };
    await expect(
      runPlan(
        {
          name: 'M/M/c',
          dims: mmcDims,
          slo: parsePlanSlo('p99<=40'),
          cost: costModel(mmc, {}, mmcDims),
          seed: 1,
        },
        failing,
      ),
    ).rejects.toThrow('no such thing as 3 instances at server.instances=3, server.concurrency=8');
  });
});
