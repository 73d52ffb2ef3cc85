// The console's capacity plan through the contract (`plan:run`, `plan:cancel`, `plan:progress`):
// the real search on real worker threads, as the Plan view asks for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventChannel, PlanReportReply } from './contract';
import { createApiHandler, type ApiHandler, type RequestContext } from './handler';
import { tempProfiles, TINY_SCENARIO, type TempProfiles } from './testing';

// 2,000 req/s of 2 ms work: 4 handlers are busy all the time (ρ = 1), so by queueing theory
// fewer than 5 can never meet a latency objective; many more than that easily do.
const scenario = {
  ...TINY_SCENARIO,
  name: 'M/M/c plan',
  duration_s: 2,
  workload: { type: 'open' as const, rate_rps: 2000 },
};

let profiles: TempProfiles;
let handler: ApiHandler;
beforeAll(async () => {
  profiles = await tempProfiles('peakline-plan-', 'tiny.json');
  handler = createApiHandler({
    shell: 'web',
    version: '0',
    store: profiles.store,
    planThreads: 1,
  });
});
afterAll(async () => {
  handler.dispose();
  await profiles.remove();
});

describe('plan:run', () => {
  it('answers the cheapest handler count meeting the SLO, with its cost, CIs and why the next cheaper fails', async () => {
    const events: { channel: EventChannel; payload: unknown }[] = [];
    const ctx: RequestContext = { emit: (channel, payload) => events.push({ channel, payload }) };
    const r = await handler.handle(
      'plan:run',
      {
        id: 'mmc',
        scenario,
        vary: [{ path: 'server.concurrency', from: 1, to: 40 }],
        slo: 'p99<=20,error_rate<=0.01',
        prices: { 'server.concurrency': 0.5 },
        currency: 'USD',
        replications: 2,
      },
      ctx,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const rep = r.result as PlanReportReply;
    expect(rep.feasible).toBe(true);
    expect(rep.partial).toBe(false);
    expect(rep.grid_size).toBe(40);
    expect(rep.evaluated).toBeLessThan(rep.grid_size);
    const c = rep.best!.params['server.concurrency'];
    expect(c).toBeGreaterThanOrEqual(5);
    expect(rep.best!.cost).toBeCloseTo(c * 0.5, 9);
    expect(rep.best!.cost_items[0]).toMatchObject({ path: 'server.concurrency', price: 0.5 });
    const p99 = rep.best!.clauses.find((x) => x.metric === 'p99')!;
    expect(p99.outcome).toBe('pass');
    expect(p99.ci95.high!).toBeLessThanOrEqual(20);
    // the one-step-cheaper neighbour fails, and says which clause
    const below = rep.neighbours.find((n) => n.params['server.concurrency'] === c - 1)!;
    expect(below.meets_slo).toBe(false);
    expect(below.failed.join(' ')).toMatch(/p99<=20|error_rate/);
    expect(rep.pareto.length).toBeGreaterThan(0);
    expect(rep.executor).toBe('local');
    const progress = events.filter((e) => e.channel === 'plan:progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.payload).toMatchObject({ id: 'mmc', grid_size: 40 });
  });

  it('stops on plan:cancel and answers with the best found so far, marked partial', async () => {
    let cancel: Promise<unknown> | null = null;
    const ctx: RequestContext = {
      emit: (channel) => {
        if (channel === 'plan:progress')
          cancel ??= handler.handle('plan:cancel', { id: 'big' }, ctx);
      },
    };
    const r = await handler.handle(
      'plan:run',
      {
        id: 'big',
        scenario,
        vary: [
          { path: 'server.concurrency', from: 1, to: 40 },
          { path: 'server.backlog', values: [100, 1000, 10000] },
        ],
        slo: 'p99<=20',
        replications: 2,
      },
      ctx,
    );
    expect(await cancel).toEqual({ ok: true, result: { cancelled: true } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const rep = r.result as PlanReportReply;
    expect(rep.partial).toBe(true);
    expect(rep.evaluated).toBeLessThan(rep.grid_size);
  });

  it('refuses a bad SLO naming the clause, and workers while no workers executor exists', async () => {
    const ctx: RequestContext = { emit: () => undefined };
    const bad = await handler.handle(
      'plan:run',
      { id: 'x', scenario, vary: [{ path: 'server.concurrency', from: 1, to: 4 }], slo: 'p98<=5' },
      ctx,
    );
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(!bad.ok && bad.error.message).toMatch(/slo: .*unknown metric "p98"/);
    expect(await handler.handle('plan:executors', undefined, ctx)).toEqual({
      ok: true,
      result: { threads: 1, workers: false },
    });
    const onWorkers = await handler.handle(
      'plan:run',
      {
        id: 'w',
        scenario,
        vary: [{ path: 'server.concurrency', from: 1, to: 4 }],
        slo: 'p99<=20',
        redis: 'redis://127.0.0.1:1',
      },
      ctx,
    );
    expect(onWorkers).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('judges sweeps by the same SLO: an async objective on a scenario without async is refused', async () => {
    const ctx: RequestContext = { emit: () => undefined };
    const r = await handler.handle(
      'sweep:run',
      {
        id: 's',
        scenario,
        vary: [{ path: 'server.concurrency', from: 4, to: 6 }],
        slo: 'p99<=20,backlog_max<=900',
      },
      ctx,
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(!r.ok && r.error.message).toBe(
      'sweep:run: slo: backlog_max<=900: the scenario has no async section',
    );
  });
});
