// What a configuration costs: price × value × how many times the thing exists. What each app
// process has of its own is multiplied by the instances, a shard's capacity by the shards, and
// counts and shared things are not multiplied.
import { describe, expect, it } from 'vitest';
import { scenario } from '../testkit';
import { validateScenario } from '../validate';
import { CostModel, parseCostArg } from './cost';

const base = scenario({
  duration_s: 1,
  workload: { type: 'open', rate_rps: 100 },
  server: { instances: 2, concurrency: 16, host: 'app' },
  hosts: { app: { cores: 4 }, pg: { cores: 8 } },
  handler: [{ db: { query: { dist: 'exp', mean_ms: 1 } } }, { enqueue: {} }],
  async: { queue_capacity: 100, workers: 10 },
  db: { pool_size: 20, shards: 4, shard_concurrency: 8, host: 'pg' },
});

describe('--cost', () => {
  it('reads path=price and names what is wrong', () => {
    expect(parseCostArg('server.instances=0.34')).toEqual({
      path: 'server.instances',
      price: 0.34,
    });
    expect(parseCostArg(' hosts["app"].cores = 2 ')).toEqual({ path: 'hosts.app.cores', price: 2 });
    expect(() => parseCostArg('server.instances')).toThrow('--cost needs path=price');
    expect(() => parseCostArg('db.shards=cheap')).toThrow('--cost db.shards=cheap: price "cheap"');
    expect(() => parseCostArg('db.shards=-1')).toThrow('price must be >= 0 (got -1)');
  });
});

describe('the cost of a configuration', () => {
  const model = new CostModel(base, {
    prices: {
      'server.instances': 100,
      'server.concurrency': 0.5,
      'async.workers': 1,
      'db.pool_size': 0.25,
      'db.shards': 300,
      'db.shard_concurrency': 10,
      'hosts.app.cores': 20,
      'hosts.pg.cores': 30,
    },
    currency: 'USD',
    period: 'month',
  });

  it('multiplies per-instance things by the instances and per-shard ones by the shards', () => {
    const c = model.costOf({});
    const by = Object.fromEntries(c.items.map((i) => [i.path, [i.cost, i.per]]));
    expect(by).toEqual({
      'server.instances': [200, null],
      'server.concurrency': [16, 'server.instances'], // 2 × 16 × 0.5
      'async.workers': [20, 'server.instances'], // 2 × 10 × 1
      'db.pool_size': [10, 'server.instances'], // 2 × 20 × 0.25: each process has its pool
      'db.shards': [1200, null],
      'db.shard_concurrency': [320, 'db.shards'], // 4 × 8 × 10
      'hosts.app.cores': [160, 'machines of host app (server.instances)'], // 2 × 4 × 20
      'hosts.pg.cores': [960, 'machines of host pg (db.shards)'], // 4 × 8 × 30
    });
    expect(c.total).toBe(200 + 16 + 20 + 10 + 1200 + 320 + 160 + 960);
    expect([model.currency, model.period]).toEqual(['USD', 'month']);
  });

  it('takes varied values over the scenario, multipliers included', () => {
    const one = model.costOf({ 'server.instances': 1 });
    const four = model.costOf({ 'server.instances': 4 });
    const per = (c: typeof one, p: string) => c.items.find((i) => i.path === p)!.cost;
    expect(per(four, 'async.workers')).toBe(4 * per(one, 'async.workers'));
    expect(per(four, 'db.shards')).toBe(per(one, 'db.shards'));
    expect(model.costOf({ 'db.shards': 1, 'db.shard_concurrency': 2 }).items[5].cost).toBe(20);
  });

  it('refuses a price for a field that is neither in the scenario nor varied', () => {
    expect(() => new CostModel(base, { prices: { 'db.shardz': 1 } })).toThrow(
      'cost of db.shardz: the scenario has no number at db.shardz and it is not varied',
    );
    expect(() => new CostModel(base, { prices: { 'db.shards': -2 } })).toThrow(
      'price must be a number >= 0',
    );
    // a field the scenario leaves to its default is priced at the default
    expect(new CostModel(base, { prices: { 'server.backlog': 0.001 } }).costOf({}).total).toBe(200);
  });
});

describe('a costs section in the scenario', () => {
  const file = {
    schema: 'peakline.scenario/v1',
    name: 'priced',
    duration_s: 1,
    workload: { type: 'open', rate_rps: 100 },
    server: { concurrency: 4 },
    handler: [{ cpu: { dist: 'exp', mean_ms: 1 } }],
  };

  it('is optional, validated, and read as the prices', () => {
    const costs = { currency: 'EUR', period: 'hour', prices: { 'server.instances': 0.34 } };
    const r = validateScenario({ ...file, costs });
    expect(r.ok && r.scenario.costs).toEqual(costs);
    const plain = validateScenario(file);
    expect(plain.ok && 'costs' in plain.scenario).toBe(false);
    const bad = validateScenario({ ...file, costs: { prices: { 'server.instances': -1 } } });
    expect(!bad.ok && bad.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'costs.prices["server.instances"]: must be >= 0 (got -1)',
    ]);
  });
});
