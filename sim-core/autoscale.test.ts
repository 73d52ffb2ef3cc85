// Autoscaling in the model (server.autoscale, model/scaler.ts) and the SLO windows, as stories a
// capacity planner would tell: a step in load, a scale-down that drains, what it costs, and the
// forecast-driven controller against the reactive one on a sudden ramp.
import { describe, expect, it } from 'vitest';
import { simulate } from './simulate';
import { exp, scenario } from './testkit';
import { formatProblems, validateScenario } from './validate';
import type { SimResult } from './result';

type Autoscale = {
  mode?: 'reactive' | 'forecast' | 'static';
  min: number;
  max: number;
  metric?: 'cpu' | 'utilization' | 'inflight';
  target: number;
  interval_s?: number;
  provision_s?: number;
  cooldown_s?: number;
  step?: number;
};

/**
 * One instance serves 4 handlers × 1 / 10 ms = 400 req/s. The load steps from 300 to 2,000 req/s
 * at 100 s and back to 300 at 220 s; clients give up after 2 s, a full backlog answers 503.
 */
function stepLoad(autoscale: Autoscale, extra: Record<string, unknown> = {}) {
  return scenario({
    duration_s: 500,
    workload: {
      type: 'open',
      rate_rps: [
        [0, 300],
        [100, 300],
        [100.001, 2000],
        [220, 2000],
        [220.001, 300],
      ],
      timeout_ms: 2000,
    },
    server: { instances: 1, concurrency: 4, backlog: 200, autoscale },
    handler: [{ cpu: exp(10) }],
    slo: { p99_ms: 200, window_s: 10 },
    ...extra,
  });
}

/** Serving instances at time t (s) by the result's timeline. */
function servingAt(r: SimResult, t: number): number {
  let n = 0;
  for (const p of r.autoscale!.timeline) if (p.t_s <= t) n = p.serving;
  return n;
}

/** ∫ (provisioning + serving + draining) dt over [from, to], from the timeline's steps. */
function integral(r: SimResult, from: number, to: number): number {
  const tl = r.autoscale!.timeline;
  let area = 0;
  for (let k = 0; k < tl.length; k++) {
    const a = Math.max(tl[k].t_s, from);
    const b = Math.min(k + 1 < tl.length ? tl[k + 1].t_s : to, to);
    if (b > a) area += (tl[k].serving + tl[k].provisioning + tl[k].draining) * (b - a);
  }
  return area;
}

describe('autoscaling a server', () => {
  const base: Autoscale = {
    min: 2,
    max: 8,
    target: 0.6,
    interval_s: 15,
    provision_s: 45,
    cooldown_s: 60,
  };
  const r = simulate(stepLoad(base));

  it('starts at min, and after a step in load adds instances that serve only provision_s later', () => {
    expect(servingAt(r, 99)).toBe(2); // instances: 1 is below min
    // decisions every 15 s average the metric over the interval: the step is seen at 105 or 120 s
    const firstUp = r.autoscale!.timeline.find((p) => p.provisioning > 0)!;
    expect([105, 120]).toContain(firstUp.t_s);
    // its instances serve provision_s later, not before
    expect(servingAt(r, firstUp.t_s + 44.9)).toBe(2);
    expect(servingAt(r, firstUp.t_s + 45)).toBeGreaterThan(2);
    // 2,000 req/s at 60 % of 400 req/s each needs more than the max of 8: it gets there
    expect(r.autoscale!.peak_instances).toBe(8);
    expect(servingAt(r, 219)).toBeGreaterThanOrEqual(7);
  });

  it('never goes above max or below min, and scales back down after the cooldown', () => {
    for (const p of r.autoscale!.timeline) {
      expect(p.serving + p.provisioning).toBeLessThanOrEqual(8);
      expect(p.serving).toBeGreaterThanOrEqual(2);
    }
    // load drops at 220 s: nothing goes before the cooldown (60 s) has passed
    const firstDown = r.autoscale!.decisions.find((d) => d.t_s > 220 && d.desired < 8)!;
    expect(firstDown.t_s).toBeGreaterThanOrEqual(280);
    expect(servingAt(r, 499)).toBe(2);
    expect(r.autoscale!.scale_downs).toBeGreaterThanOrEqual(6);
  });

  it('drains the instances it removes: no request is lost', () => {
    // 6 instances of 100 handlers × 400 ms (250 req/s each) at 1,200 req/s, then 200 req/s
    const d = simulate(
      scenario({
        duration_s: 150,
        workload: {
          type: 'open',
          rate_rps: [
            [0, 1200],
            [60, 1200],
            [60.001, 200],
          ],
        },
        server: {
          instances: 6,
          concurrency: 100,
          autoscale: { min: 1, max: 6, target: 0.6, interval_s: 15, cooldown_s: 30 },
        },
        handler: [{ cpu: { dist: 'const', ms: 400 } }],
      }),
    );
    const tl = d.autoscale!.timeline;
    // instances were draining for a while (each had requests in its handlers)...
    const draining = tl.filter((p) => p.draining > 0);
    expect(draining.length).toBeGreaterThan(0);
    // ...and each stopped within one service time of being told to
    const down = d.autoscale!.decisions.find((x) => x.desired < 6)!;
    expect(tl.find((p) => p.t_s > down.t_s && p.draining === 0)!.t_s).toBeLessThanOrEqual(
      down.t_s + 0.4,
    );
    expect(servingAt(d, 149)).toBeLessThan(6);
    const q = d.requests;
    expect(Object.values(d.errors).every((n) => n === 0)).toBe(true);
    expect(q.rejected + q.timed_out).toBe(0);
    expect(q.ok + q.in_flight).toBe(q.arrived);
  });

  it('costs the integral of its instance count (booting and draining instances are paid for)', () => {
    expect(r.instance_seconds).toBeCloseTo(integral(r, 0, 500), 6);
    expect(r.autoscale!.instance_seconds).toBe(r.instance_seconds);
    // far below 8 instances all the time, above 2
    expect(r.instance_seconds!).toBeLessThan(8 * 500);
    expect(r.instance_seconds!).toBeGreaterThan(2 * 500);
    // with a warm-up, only the measured window is counted
    const w = simulate(stepLoad(base, { warmup_s: 50, duration_s: 450 }));
    expect(w.instance_seconds).toBeCloseTo(integral(w, 50, 500), 6);
  });

  it('reports the SLO windows the late instances could not save', () => {
    const slo = r.slo!;
    expect(slo.windows).toBe(50);
    // the step overloads 2 instances (800 req/s of capacity) until the new ones serve
    expect(slo.first_violation_s).toBe(100);
    expect(slo.violated_windows).toBeGreaterThanOrEqual(5);
    expect(slo.violated_s).toBe(slo.violated_windows * 10);
    const first = slo.timeline.find((w) => w.violated)!;
    expect(first.p99_ms).toBeGreaterThan(200);
    // before the step every window met it
    expect(slo.timeline.filter((w) => w.t_s < 100).every((w) => !w.violated)).toBe(true);
  });

  it('balances only over serving instances: slots never started stay idle', () => {
    const low = simulate(
      scenario({
        duration_s: 60,
        workload: { type: 'open', rate_rps: 300 },
        server: { instances: 2, concurrency: 4, autoscale: { ...base, max: 6 } },
        handler: [{ cpu: exp(10) }],
        gateway: { balancer: 'round_robin' },
      }),
    );
    expect(low.autoscale!.scale_ups).toBe(0);
    for (const k of [2, 3, 4, 5]) expect(low.stations[`instance[${k}]`].utilization).toBe(0);
    for (const k of [0, 1]) expect(low.stations[`instance[${k}]`].utilization).toBeGreaterThan(0.3);
    // the instances' utilisation is over the instances that ran: 300 / (2 × 400)
    expect(low.stations.instances.utilization).toBeCloseTo(0.375, 1);
  });

  it('limits each decision to `step` instances', () => {
    const stepped = simulate(stepLoad({ ...base, step: 1 }));
    let prev = stepped.autoscale!.timeline[0];
    for (const p of stepped.autoscale!.timeline.slice(1)) {
      expect(p.serving + p.provisioning - (prev.serving + prev.provisioning)).toBeLessThanOrEqual(
        1,
      );
      prev = p;
    }
    expect(stepped.slo!.violated_windows).toBeGreaterThan(r.slo!.violated_windows);
  });

  it('static mode keeps max instances: the peak-provisioning cost', () => {
    const s = simulate(stepLoad({ ...base, mode: 'static' }));
    expect(s.instance_seconds).toBeCloseTo(8 * 500, 6);
    expect(s.autoscale!.scale_ups + s.autoscale!.scale_downs).toBe(0);
    expect(s.slo!.violated_windows).toBe(0);
  });

  it('forecast mode scales ahead of the predicted ramp: fewer violations than reactive', () => {
    // a ramp over a minute (a sale opening), known in advance from the rate curve
    const ramp = (mode: 'reactive' | 'forecast') =>
      simulate(
        scenario({
          duration_s: 400,
          workload: {
            type: 'open',
            rate_rps: [
              [0, 300],
              [120, 300],
              [180, 2000],
              [300, 2000],
              [360, 300],
            ],
            timeout_ms: 2000,
          },
          server: { instances: 2, concurrency: 4, backlog: 200, autoscale: { ...base, mode } },
          handler: [{ cpu: exp(10) }],
          slo: { p99_ms: 200, window_s: 10 },
        }),
      );
    const reactive = ramp('reactive');
    const forecast = ramp('forecast');
    expect(forecast.slo!.violated_windows).toBeLessThan(reactive.slo!.violated_windows);
    expect(forecast.error_rate).toBeLessThan(reactive.error_rate);
    // its instances were asked for before the load arrived
    const up = forecast.autoscale!.timeline.find((p) => p.provisioning > 0)!;
    const upReactive = reactive.autoscale!.timeline.find((p) => p.provisioning > 0)!;
    expect(up.t_s).toBeLessThan(upReactive.t_s);
    expect(up.t_s).toBeLessThanOrEqual(135);
    // and it paid less than peak provisioning
    expect(forecast.instance_seconds!).toBeLessThan(8 * 400);
  });

  it('inflight: scales on requests per instance', () => {
    const f = simulate(stepLoad({ ...base, metric: 'inflight', target: 3 }));
    expect(f.autoscale!.peak_instances).toBe(8);
    expect(f.autoscale!.decisions.some((d) => d.metric > 3)).toBe(true);
  });

  it('cpu: scales on the busy cores of the instances’ host', () => {
    // each instance a 2-core machine; 8 handlers share its cores, 5 ms of CPU a request: 400 req/s
    const c = simulate(
      scenario({
        duration_s: 500,
        workload: {
          type: 'open',
          rate_rps: [
            [0, 300],
            [60, 300],
            [60.001, 1500],
          ],
        },
        hosts: { app: { cores: 2 } },
        server: {
          instances: 2,
          concurrency: 8,
          host: 'app',
          autoscale: { ...base, metric: 'cpu', max: 10 },
        },
        handler: [{ cpu: exp(5) }],
      }),
    );
    const before = c.autoscale!.decisions.filter((d) => d.t_s <= 60);
    // 300 req/s × 5 ms over 2 machines of 2 cores: 37.5 % busy
    for (const d of before) expect(d.metric).toBeCloseTo(0.375, 1);
    // saturated while the new instances boot, it overshoots to drain the backlog built meanwhile,
    // then settles where 1,500 req/s × 5 ms / (2 cores × 0.6) ≈ 6.25 puts it: 7 instances
    expect(c.autoscale!.peak_instances).toBe(10);
    expect(servingAt(c, 499)).toBe(7);
    const settled = c.autoscale!.decisions.filter((d) => d.t_s >= 400);
    for (const d of settled) expect(d.metric).toBeCloseTo((1500 * 5) / (7 * 2000), 1);
  });

  it('the same seed gives the same scaling, byte for byte', () => {
    const again = simulate(stepLoad(base));
    expect(JSON.stringify({ ...again, wall_ms: 0 })).toBe(JSON.stringify({ ...r, wall_ms: 0 }));
  });
});

describe('autoscale settings that cannot work are refused, naming the field', () => {
  const problems = (autoscale: Record<string, unknown>, server: Record<string, unknown> = {}) => {
    const r = validateScenario({
      schema: 'peakline.scenario/v1',
      name: 'x',
      duration_s: 10,
      workload: { type: 'open', rate_rps: 100 },
      server: { concurrency: 4, autoscale, ...server },
      handler: [{ cpu: exp(1) }],
    });
    expect(r.ok).toBe(false);
    return r.ok ? '' : formatProblems('s.json', r.problems).join('\n');
  };

  it('min above max', () => {
    expect(problems({ min: 5, max: 3, target: 0.6 })).toContain(
      'server.autoscale.min: must be <= max',
    );
  });
  it('a utilisation target above 1', () => {
    expect(problems({ min: 1, max: 3, target: 60 })).toContain('server.autoscale.target');
  });
  it('metric cpu without a host to measure', () => {
    expect(problems({ min: 1, max: 3, target: 0.6, metric: 'cpu' })).toContain(
      'server.autoscale.metric: metric "cpu" needs server.host',
    );
  });
  it('an unknown metric, and a zero interval', () => {
    expect(problems({ min: 1, max: 3, target: 0.6, metric: 'memory' })).toContain(
      'server.autoscale.metric',
    );
    expect(problems({ min: 1, max: 3, target: 0.6, interval_s: 0 })).toContain(
      'server.autoscale.interval_s',
    );
  });
  it('an SLO window of zero', () => {
    const r = validateScenario({
      schema: 'peakline.scenario/v1',
      name: 'x',
      duration_s: 10,
      workload: { type: 'open', rate_rps: 100 },
      server: { concurrency: 4 },
      handler: [{ cpu: exp(1) }],
      slo: { p99_ms: 100, window_s: 0 },
    });
    expect(r.ok ? '' : formatProblems('s.json', r.problems).join('\n')).toContain('slo.window_s');
  });
});
