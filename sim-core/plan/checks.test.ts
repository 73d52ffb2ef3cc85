// The checks the CLI and the console's Plan view share on a plan request.
import { describe, expect, it } from 'vitest';
import { invalidValue, negativePriced, withUnitPrices } from './checks';

const input = {
  schema: 'peakline.scenario/v1',
  name: 'plan checks',
  duration_s: 5,
  workload: { type: 'closed', connections: 10 },
  server: { concurrency: 4 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 2 } }],
};

describe('a plan request', () => {
  it('names the first value of a varied field that makes no valid scenario, and why', () => {
    expect(invalidValue(input, 'server.concurrency', [1, 2, 4])).toBeUndefined();
    const bad = invalidValue(input, 'server.concurrency', [2, 0, -1]);
    expect(bad?.value).toBe(0);
    expect(bad?.problem).toMatch(/^server\.concurrency: /);
  });

  it('prices every varied field at 1 per unit when nothing is priced, else keeps the prices', () => {
    const dims = [
      { path: 'server.instances', values: [1, 2] },
      { path: 'server.concurrency', values: [4, 8] },
    ];
    expect(withUnitPrices({}, dims)).toEqual({ 'server.instances': 1, 'server.concurrency': 1 });
    expect(withUnitPrices({ 'server.instances': 0.34 }, dims)).toEqual({
      'server.instances': 0.34,
    });
  });

  it('refuses negative values of a priced field and of the counts that multiply prices', () => {
    const prices = { 'async.workers': 0.01 };
    expect(negativePriced([{ path: 'async.workers', values: [-1, 2] }], prices)?.path).toBe(
      'async.workers',
    );
    expect(negativePriced([{ path: 'db.shards', values: [-2] }], prices)?.path).toBe('db.shards');
    // an unpriced field may go below zero (a shift, say)
    expect(negativePriced([{ path: 'server.backlog', values: [-1] }], prices)).toBeUndefined();
  });
});
