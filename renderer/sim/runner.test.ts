// The runner keeps "latest change wins": stale results never reach the store, long runs are
// stopped by terminating the worker (or, with a shared stop flag, on the same warm worker),
// Cancel stops a run, and slow stationary scenarios show a preview before the full result. The worker transport is in-process
// (jsdom has no Web Worker); the simulation it runs is the real one (serveRun → simulate).
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../sim-core/schema';
import { scenario } from '../../sim-core/testkit';
import type { SimResult } from '../../sim-core/result';
import { SimRunner, type RunnerOptions, type WorkerLike } from './runner';
import { InProcessWorker } from './inProcessWorker';
import type { AnalyticView } from './analytic';

const mm1 = (name: string, rate = 50, duration_s = 2): Scenario =>
  scenario({
    name,
    seed: 3,
    duration_s,
    workload: { type: 'open', rate_rps: rate },
    server: { concurrency: 1 },
    handler: [{ cpu: { dist: 'exp', mean_ms: 5 } }],
  });

function harness(restartAfterMs: number, more: RunnerOptions = {}) {
  const workers: InProcessWorker[] = [];
  const results: SimResult[] = [];
  const analytic: (AnalyticView | null)[] = [];
  const events: string[] = [];
  let settle: () => void = () => {};
  const runner = new SimRunner(
    () => {
      const w = new InProcessWorker();
      workers.push(w);
      return w;
    },
    {
      onStart: () => events.push('start'),
      onProgress: () => {},
      onPreview: (r) => events.push(`preview:${r.scenario}:${r.duration_s}s`),
      onResult: (r, a) => {
        results.push(r);
        analytic.push(a);
        events.push(`result:${r.scenario}`);
        settle();
      },
      onError: (m) => {
        events.push(`error:${m}`);
        settle();
      },
      onCancel: () => events.push('cancel'),
    },
    { restartAfterMs, ...more },
  );
  const next = () => new Promise<void>((r) => (settle = r));
  return { runner, workers, results, analytic, events, next };
}

describe('SimRunner', () => {
  it('delivers the result of a run, with the analytic answer where theory applies', async () => {
    const h = harness(150);
    const done = h.next();
    h.runner.run(mm1('one'));
    await done;
    expect(h.analytic[0]?.model).toBe('M/M/c');
    // M/M/1 at 50/s with 5 ms service: mean response 1 / (mu - lambda) = 6.67 ms.
    expect(h.analytic[0]?.mean_ms).toBeCloseTo(1000 / (200 - 50), 5);
    expect(h.results).toHaveLength(1);
    expect(h.results[0].scenario).toBe('one');
    expect(h.results[0].throughput_rps).toBeGreaterThan(30);
    expect(h.results[0].series?.length).toBeGreaterThan(0);
  });

  it('drops the results of superseded requests: only the latest arrives', async () => {
    const h = harness(10_000);
    const done = h.next();
    h.runner.run(mm1('first'));
    h.runner.run(mm1('second'));
    h.runner.run(mm1('third'));
    await done;
    expect(h.events.filter((e) => e.startsWith('result'))).toEqual(['result:third']);
    // The first ran to its end on the same worker; the second was never run.
    expect(h.workers).toHaveLength(1);
  });

  it('stops a run that has been going for long by terminating its worker', async () => {
    const h = harness(0);
    const done = h.next();
    h.runner.run(mm1('slow'));
    h.runner.run(mm1('fresh'));
    await done;
    expect(h.workers).toHaveLength(2);
    expect(h.workers[0].terminated).toBe(true);
    expect(h.events.filter((e) => e.startsWith('result'))).toEqual(['result:fresh']);
  });

  it('cancels: no result arrives and the next request starts on a fresh worker', async () => {
    const h = harness(150);
    h.runner.run(mm1('cancelled'));
    h.runner.cancel();
    expect(h.events).toContain('cancel');
    expect(h.workers[0].terminated).toBe(true);
    const done = h.next();
    h.runner.run(mm1('after'));
    await done;
    expect(h.events.filter((e) => e.startsWith('result'))).toEqual(['result:after']);
  });
});

describe('SimRunner with a worker that never starts', () => {
  it('reports the failure and serves the next request on a fresh worker', async () => {
    const made: WorkerLike[] = [];
    const events: string[] = [];
    let settle: () => void = () => {};
    const runner = new SimRunner(
      () => {
        // The first worker swallows everything (as if its script failed to load).
        const w: WorkerLike =
          made.length === 0
            ? { postMessage: () => {}, terminate: () => {}, onmessage: null, onerror: null }
            : new InProcessWorker();
        made.push(w);
        return w;
      },
      {
        onStart: () => {},
        onProgress: () => {},
        onResult: (r) => {
          events.push(`result:${r.scenario}`);
          settle();
        },
        onError: (m) => {
          events.push(`error:${m}`);
          settle();
        },
        onCancel: () => {},
      },
      { startTimeoutMs: 50 },
    );
    let done = new Promise<void>((r) => (settle = r));
    runner.run(mm1('lost'));
    await done;
    expect(events).toEqual(['error:the simulation worker did not start']);
    done = new Promise<void>((r) => (settle = r));
    runner.run(mm1('next'));
    await done;
    expect(events[1]).toBe('result:next');
    expect(made).toHaveLength(2);
    runner.dispose();
  });
});

describe('SimRunner choosing between waiting and restarting', () => {
  it('restarts at once when runs of this scenario take over a second, waits when they are short', async () => {
    let clock = 0;
    const h = harness(150, { now: () => clock });
    const results = () => h.events.filter((e) => e.startsWith('result'));
    // A short run (50 ms on this clock): the next request waits for the warm worker.
    let done = h.next();
    h.runner.run(mm1('short'));
    clock = 50;
    await done;
    h.runner.run(mm1('a'));
    h.runner.run(mm1('b'));
    expect(h.workers).toHaveLength(1);
    done = h.next();
    await done;
    expect(results()).toEqual(['result:short', 'result:b']);
    // A run that took 1.5 s: a newer request stops it straight away on a fresh worker.
    done = h.next();
    clock = 100;
    h.runner.run(mm1('long'));
    clock = 1600;
    await done;
    h.runner.run(mm1('c'));
    h.runner.run(mm1('d'));
    expect(h.workers).toHaveLength(2);
    expect(h.workers[0].terminated).toBe(true);
    done = h.next();
    await done;
    expect(results()).toEqual(['result:short', 'result:b', 'result:long', 'result:d']);
    h.runner.dispose();
  });
});

describe('SimRunner with a stop flag shared with the worker', () => {
  const shared = () => new Int32Array(new SharedArrayBuffer(4));

  it('hands newer requests to the same warm worker: nothing is terminated, only the latest arrives', async () => {
    const h = harness(0, { wanted: shared() });
    expect(h.runner.sharesFlag).toBe(true);
    const done = h.next();
    h.runner.run(mm1('first'));
    h.runner.run(mm1('second'));
    h.runner.run(mm1('third'));
    await done;
    expect(h.events.filter((e) => e.startsWith('result'))).toEqual(['result:third']);
    expect(h.workers).toHaveLength(1);
    expect(h.workers[0].terminated).toBe(false);
  });

  it('cancels without terminating, and the next request runs on the same worker', async () => {
    const h = harness(0, { wanted: shared() });
    h.runner.run(mm1('cancelled'));
    h.runner.cancel();
    expect(h.events).toContain('cancel');
    const done = h.next();
    h.runner.run(mm1('after'));
    await done;
    expect(h.events.filter((e) => e.startsWith('result'))).toEqual(['result:after']);
    expect(h.workers).toHaveLength(1);
  });
});

describe('SimRunner previews', () => {
  it('previews at most a minute of a run said yes to at duration_s 1e9', () => {
    const h = harness(150, { previewAboveMs: -1, previewTargetMs: 0 });
    expect(h.runner.previewFor(mm1('long', 50, 1e9))).toBe(60);
    expect(h.runner.previewFor(mm1('short'))).toBe(0.2);
    h.runner.dispose();
  });

  it('shows a shorter run of a slow stationary scenario first, then the full result', async () => {
    // every full run counts as slow; the preview is the floor, a tenth of the measured window
    const h = harness(150, { previewAboveMs: -1, previewTargetMs: 0 });
    const done = h.next();
    h.runner.run(mm1('first'));
    await done;
    expect(h.events.filter((e) => /^(preview|result)/.test(e))).toEqual([
      'preview:first:0.2s',
      'result:first',
    ]);
    expect(h.results.at(-1)?.duration_s).toBe(2);
  });

  it('runs quick scenarios in full at once', async () => {
    const h = harness(150);
    let done = h.next();
    h.runner.run(mm1('first'));
    await done;
    done = h.next();
    h.runner.run(mm1('second'));
    await done;
    expect(h.events.some((e) => e.startsWith('preview'))).toBe(false);
  });

  it('runs a changing load (a rate curve) in full only: its start says nothing of its end', async () => {
    const h = harness(150, { previewAboveMs: -1, previewTargetMs: 0 });
    const curve = (name: string): Scenario =>
      scenario({
        name,
        duration_s: 2,
        workload: {
          type: 'open',
          rate_rps: [
            [0, 20],
            [2, 150],
          ],
        },
        server: { concurrency: 1 },
        handler: [{ cpu: { dist: 'exp', mean_ms: 5 } }],
      });
    let done = h.next();
    h.runner.run(curve('spike-1'));
    await done;
    done = h.next();
    h.runner.run(curve('spike-2'));
    await done;
    expect(h.events.some((e) => e.startsWith('preview'))).toBe(false);
    expect(h.events.filter((e) => e.startsWith('result'))).toEqual([
      'result:spike-1',
      'result:spike-2',
    ]);
  });
});
