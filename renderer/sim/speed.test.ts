// The runner's judge of how long a replication will take: the fastest of the last few of the same
// scenario, so that a replication slowed by whatever shared the cores with it does not make the
// next run look slow (and previewed, which would slow it in turn); another scenario starts afresh.
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../sim-core/schema';
import { scenario } from '../../sim-core/testkit';
import { simulate } from '../../sim-core/simulate';
import { EngineSpeed } from './speed';

const closed = (name: string, more: Partial<ScenarioInput> = {}) =>
  scenario({
    name,
    duration_s: 20,
    warmup_s: 2,
    workload: { type: 'closed', connections: 20 },
    server: { concurrency: 8 },
    handler: [{ cpu: { dist: 'exp', mean_ms: 2 } }],
    ...more,
  });

const open = (name: string, rate: number) =>
  scenario({
    name,
    duration_s: 10,
    warmup_s: 1,
    workload: { type: 'open', rate_rps: rate },
    server: { concurrency: 8 },
    handler: [{ cpu: { dist: 'exp', mean_ms: 2 } }],
  });

describe('EngineSpeed', () => {
  it('expects the time of the fastest recent replication, not of the last one slowed by others', () => {
    const s = closed('seed');
    const r = simulate(s);
    const speed = new EngineSpeed();
    speed.learn(s, r.wall_ms, r.offered_rps);
    const alone = speed.expectedMs(s);
    expect(alone).toBeCloseTo(r.wall_ms, 6);
    // the next replications shared the cores and took three times as long
    for (let i = 0; i < 3; i++) speed.learn(s, 3 * r.wall_ms, r.offered_rps);
    expect(speed.expectedMs(s)).toBeCloseTo(alone, 6);
    // a slider step that halves the simulated time halves the expectation (a closed loop)
    expect(speed.expectedMs({ ...s, duration_s: 9 })).toBeCloseTo(alone / 2, 6);
  });

  it('follows a run that has really become slower once the fast ones are old', () => {
    const s = closed('seed');
    const speed = new EngineSpeed();
    speed.learn(s, 10, 500);
    for (let i = 0; i < 4; i++) {
      speed.learn(s, 40, 500);
      expect(speed.expectedMs(s)).toBeCloseTo(10, 6);
    }
    speed.learn(s, 40, 500);
    expect(speed.expectedMs(s)).toBeCloseTo(40, 6);
  });

  it('starts afresh for another scenario, and judges an open load by its requests', () => {
    const speed = new EngineSpeed();
    const fast = closed('fast');
    speed.learn(fast, 0.001, 1000);
    const slow = open('slow', 4000);
    const r = simulate(slow);
    speed.learn(slow, r.wall_ms, r.offered_rps);
    // the fast scenario's quicker replications are forgotten: this one's own time is expected
    expect(speed.expectedMs(slow)).toBeCloseTo(r.wall_ms * (4000 / r.offered_rps), 6);
    // twice the rate, twice the requests, twice the time
    expect(speed.expectedMs(open('slow', 8000))).toBeCloseTo(2 * speed.expectedMs(slow), 6);
  });
});
