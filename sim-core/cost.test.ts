// The run-cost estimate against what the engine really does: for every shipped profile (run ten
// times shorter, so the test stays quick) the estimated events are within a small factor of the
// events the engine pops; a closed loop's rate comes out of its bottleneck; `duration_s: 1e9` is
// far above the line where a run must be confirmed, and no shipped profile is.
import { describe, expect, it } from 'vitest';
import { CONFIRM_EVENTS, estimateCost, meanRate, needsConfirmation } from './cost';
import { simulate } from './simulate';
import { scenario } from './testkit';
import type { Scenario, ScenarioInput } from './schema';
import flashSale from '../profiles/flash-sale.json';
import pgOrderZipf from '../profiles/pg-order-zipf.json';
import saleDayPeak from '../profiles/sale-day-peak.json';
import seedAsyncQueue from '../profiles/seed-async-queue.json';
import seedSyncBaseline from '../profiles/seed-sync-baseline.json';
import shardHotspot from '../profiles/shard-hotspot.json';

/** The shipped profiles (sim-core reads no files: imported as modules). */
const profiles = Object.entries({
  'flash-sale.json': flashSale,
  'pg-order-zipf.json': pgOrderZipf,
  'sale-day-peak.json': saleDayPeak,
  'seed-async-queue.json': seedAsyncQueue,
  'seed-sync-baseline.json': seedSyncBaseline,
  'shard-hotspot.json': shardHotspot,
}).map(([f, json]) => [f, scenario(json as unknown as ScenarioInput)] as const);

const shorter = (s: Scenario): Scenario => ({
  ...s,
  duration_s: s.duration_s / 10,
  warmup_s: s.warmup_s / 10,
});

describe('estimateCost', () => {
  it.each(profiles)(
    'estimates the events of %s within a factor of 2.5 of the engine’s',
    (_f, full) => {
      const s = shorter(full);
      const est = estimateCost(s);
      const real = simulate(s).events;
      expect(est.events / real).toBeGreaterThan(1 / 2.5);
      expect(est.events / real).toBeLessThan(2.5);
    },
    30_000,
  );

  it('lets every shipped profile run without asking', () => {
    for (const [f, s] of profiles) expect(needsConfirmation(estimateCost(s)), f).toBe(false);
  });

  it('finds a closed loop’s rate at its bottleneck: the sync seed’s pool of 20 at ≈ 487 req/s', () => {
    const s = profiles.find(([f]) => f === 'seed-sync-baseline.json')![1];
    const est = estimateCost(s);
    // 20 connections, each held for the two queries (≈ 41 ms): 20 / 0.041 s ≈ 488 req/s, the
    // reference article's 487 QPS
    expect(est.rate_rps).toBeGreaterThan(440);
    expect(est.rate_rps).toBeLessThan(540);
    expect(est.requests).toBeCloseTo(est.rate_rps * 33, 6);
  });

  it('asks before a run of duration_s 1e9, which would never end', () => {
    const seed = profiles.find(([f]) => f === 'seed-async-queue.json')![1];
    const est = estimateCost(scenario({ ...seed, duration_s: 1e9 }));
    expect(est.events).toBeGreaterThan(1e12);
    expect(needsConfirmation(est)).toBe(true);
    expect(needsConfirmation({ ...est, events: CONFIRM_EVENTS })).toBe(false);
    expect(needsConfirmation({ ...est, events: NaN })).toBe(true);
  });

  it('averages an open workload’s rate curve over the run', () => {
    expect(meanRate(100, 10)).toBe(100);
    // 0 → 100 req/s over 10 s, then flat: 50 on average over the ramp, 75 over 20 s
    expect(
      meanRate(
        [
          [0, 0],
          [10, 100],
        ],
        10,
      ),
    ).toBeCloseTo(50, 9);
    expect(
      meanRate(
        [
          [0, 0],
          [10, 100],
        ],
        20,
      ),
    ).toBeCloseTo(75, 9);
    // a curve starting late holds its first rate before it
    expect(
      meanRate(
        [
          [5, 10],
          [15, 10],
        ],
        20,
      ),
    ).toBeCloseTo(10, 9);
  });
});
