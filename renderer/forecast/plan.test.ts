// The Forecast view's simulation of a forecast: an M/M/c order handler (4 handlers, 10 ms mean
// service: about 400 req/s at most) under a forecast that climbs from 100 to 520 req/s. The real
// simulator runs each slot through SimBatch on in-process workers (the same serveRun a Web Worker
// runs). The SLO (P99 ≤ 100 ms) holds while the rate is low and first fails once it nears the
// capacity; the capacity search finds the smallest instance count that holds it at the top of the
// band — and one instance fewer does not.
import { afterAll, describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../sim-core/schema';
import { InProcessWorker } from '../sim/testing';
import { SimBatch } from './batch';
import { atRate, meets, pickSlots, simulateForecast } from './plan';

const scenario: ScenarioInput = {
  schema: 'peakline.scenario/v1',
  name: 'M/M/4 handler',
  seed: 3,
  duration_s: 20,
  warmup_s: 2,
  workload: { type: 'closed', connections: 50 },
  server: { instances: 1, concurrency: 4, backlog: 100000 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 10 } }],
};

describe('simulating the system under a forecast', () => {
  const batch = new SimBatch(() => new InProcessWorker(), 2);
  afterAll(() => batch.dispose());

  it('finds when the SLO first fails and the smallest capacity that holds it', async () => {
    const t0 = 1_800_000_000;
    const points = Array.from({ length: 8 }, (_, k) => {
      const mean = 100 + k * 60; // 100 … 520 req/s
      return { t: t0 + k * 60, mean, lo: mean * 0.9, hi: mean * 1.1 };
    });
    const sim = await simulateForecast(
      scenario,
      points,
      100,
      (l) => batch.run(l),
      'server.instances',
    );
    expect(sim.slots).toHaveLength(8);
    // at 100 req/s four handlers are a quarter busy and P99 is well within 100 ms
    expect(sim.slots[0].p99_ms).toBeLessThan(100);
    expect(sim.slots[0].util.instances).toBeGreaterThan(0.2);
    expect(sim.slots[0].util.instances).toBeLessThan(0.3);
    // the first failing slot is a busy one (≥ 340 req/s, 85 % of capacity), and the SLO held before it
    expect(sim.firstFail).not.toBeNull();
    const k = sim.slots.findIndex((s) => s.t === sim.firstFail);
    expect(sim.slots[k].rate).toBeGreaterThanOrEqual(340);
    for (const s of sim.slots.slice(0, k)) expect(s.p99_ms).toBeLessThanOrEqual(100);
    // sized for the top of the band (520 × 1.1 = 572 req/s): 2 or more instances of 4 handlers
    const cap = sim.capacity;
    expect(cap).toMatchObject({ holds: true, rate: 572 });
    expect(cap.changes).toHaveLength(1);
    const [c] = cap.changes;
    expect(c).toMatchObject({ path: 'server.instances', current: 1 });
    expect(c.needed).toBeGreaterThanOrEqual(2);
    expect(cap.p99_ms).toBeLessThanOrEqual(100);
    const [withNeeded, withOneLess] = await batch.run([
      atRate(scenario, cap.rate, { path: c.path, value: c.needed }),
      atRate(scenario, cap.rate, { path: c.path, value: c.needed - 1 }),
    ]);
    expect(meets(withNeeded, 100)).toBe(true);
    expect(meets(withOneLess, 100)).toBe(false);
  });

  it('Cancel stops the runs of a batch; the next batch runs on fresh workers', async () => {
    const long = [300, 320, 340, 360].map((r) => atRate(scenario, r));
    const running = batch.run(long);
    batch.cancel();
    await expect(running).rejects.toThrow('cancelled');
    const [again] = await batch.run([atRate(scenario, 100)]);
    expect(again.offered_rps).toBeGreaterThan(80);
    expect(again.offered_rps).toBeLessThan(120);
  });

  it('keeps the peak when it thins a long horizon', () => {
    const idx = pickSlots(120, 24, 77);
    expect(idx.length).toBeLessThanOrEqual(25);
    expect(idx).toContain(77);
    expect(idx[0]).toBe(0);
    expect(idx.at(-1)).toBe(119);
  });
});
