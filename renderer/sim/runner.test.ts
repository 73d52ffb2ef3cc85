// The runner keeps "latest change wins": stale results never reach the store, long runs are
// stopped by terminating the worker (or, with a shared stop flag, on the same warm worker),
// Cancel stops a run, and slow stationary scenarios show a preview before the full result. On a
// pool of workers a run becomes replications, one per worker, merged into one result with its
// intervals; the same guarantees hold for every worker of the pool, and a worker that hangs is
// replaced while the others stay warm. The worker transport is in-process (jsdom has no Web
// Worker); the simulation it runs is the real one (serveRun → simulate).
import { describe, expect, it } from 'vitest';
import type { Scenario, ScenarioInput } from '../../sim-core/schema';
import { scenario } from '../../sim-core/testkit';
import type { SimResult } from '../../sim-core/result';
import { SimRunner, type RunnerOptions, type WorkerLike } from './runner';
import type { AnalyticView } from './analytic';
import { InProcessWorker } from './testing';
import type { FromWorker, ToWorker } from './protocol';
import { validateScenario } from '../../sim-core/validate';

const mm1 = (name: string, rate = 50, more: Partial<ScenarioInput> = {}): Scenario =>
  scenario({
    name,
    seed: 3,
    duration_s: 2,
    workload: { type: 'open', rate_rps: rate },
    server: { concurrency: 1 },
    handler: [{ cpu: { dist: 'exp', mean_ms: 5 } }],
    ...more,
  });

/** A runner on in-process workers; one worker unless `more.workers` says otherwise. */
function harness(restartAfterMs: number, more: RunnerOptions = {}) {
  const workers: InProcessWorker[] = [];
  const results: SimResult[] = [];
  const progress: number[] = [];
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
      onProgress: (f) => progress.push(f),
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
    { restartAfterMs, workers: 1, ...more },
  );
  const next = () => new Promise<void>((r) => (settle = r));
  return { runner, workers, results, analytic, events, next, progress };
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
      { startTimeoutMs: 50, workers: 1 },
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
    expect(h.runner.previewFor(mm1('long', 50, { duration_s: 1e9 }))).toBe(60);
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
    const curve = (name: string): Scenario => {
      const r = validateScenario({
        schema: 'peakline.scenario/v1',
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
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return r.scenario;
    };
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

describe('SimRunner on a pool of workers', () => {
  const shared = () => new Int32Array(new SharedArrayBuffer(4));
  /** M/M/1 at 80 % load with a warm-up: stationary, so its measured window is cut into runs. */
  const steady = (name: string, rate = 160) => mm1(name, rate, { duration_s: 12, warmup_s: 1 });

  it('runs one replication per worker and delivers one merged result with its intervals', async () => {
    const h = harness(150, { workers: 3 });
    const done = h.next();
    h.runner.run(steady('pooled'));
    await done;
    expect(h.workers).toHaveLength(3);
    expect(h.results).toHaveLength(1);
    const r = h.results[0];
    expect(r.scenario).toBe('pooled');
    expect(r.duration_s).toBe(12);
    expect(r.replications).toMatchObject({ mode: 'split', count: 3, measured_s: 4 });
    // the merged figures: M/M/1 at 160/s of 5 ms — mean 25 ms, utilisation 0.8
    expect(Math.abs(r.throughput_rps - 160) / 160).toBeLessThan(0.08);
    expect(Math.abs(r.stations.instances.utilization - 0.8)).toBeLessThan(0.08);
    expect(r.ci95.latency_p99_ms.half_width).toBeGreaterThan(0);
    expect(r.ci95.latency_p99_ms.low).toBeLessThan(r.latency_ms.p99);
    // the series covers the whole run on one time axis, the CDF ends at 1
    expect(r.series!.at(-1)!.t_s).toBeCloseTo(13, 6);
    expect(r.cdf!.at(-1)![1]).toBe(1);
    // the raw figures served the merge and stay behind; the analytic answer comes once
    expect(r.parts).toBeUndefined();
    expect(h.analytic[0]?.model).toBe('M/M/c');
    expect(h.progress.at(-1)).toBe(1);
  });

  it('repeats a changing load whole on every worker: the same time axis, intervals from the runs', async () => {
    const h = harness(150, { workers: 2 });
    const done = h.next();
    h.runner.run(
      mm1('ramp', 0, {
        workload: {
          type: 'open',
          rate_rps: [
            [0, 20],
            [2, 150],
          ],
        },
      }),
    );
    await done;
    const r = h.results[0];
    expect(r.replications).toMatchObject({ mode: 'repeat', count: 2, measured_s: 2, ci: 'runs' });
    expect(r.series!.at(-1)!.t_s).toBeCloseTo(2, 6);
  });

  it('drops stale replications: only the latest request, merged from its own runs, arrives', async () => {
    const h = harness(10_000, { workers: 2, wanted: shared() });
    const done = h.next();
    h.runner.run(steady('first', 40));
    h.runner.run(steady('second', 80));
    h.runner.run(steady('third', 160));
    await done;
    expect(h.events.filter((e) => e.startsWith('result'))).toEqual(['result:third']);
    // nothing of the slower loads was merged in: the offered load is the third's
    expect(Math.abs(h.results[0].offered_rps - 160) / 160).toBeLessThan(0.08);
    // the same warm workers served all three
    expect(h.workers).toHaveLength(2);
    expect(h.workers.every((w) => !w.terminated)).toBe(true);
  });

  it('cancels every replication; the next request runs on the same warm workers', async () => {
    const h = harness(0, { workers: 2, wanted: shared() });
    h.runner.run(steady('cancelled'));
    h.runner.cancel();
    expect(h.events).toContain('cancel');
    const done = h.next();
    h.runner.run(steady('after'));
    await done;
    expect(h.events.filter((e) => /^(result|error)/.test(e))).toEqual(['result:after']);
    expect(h.workers).toHaveLength(2);
    expect(h.runner.busy).toBe(false);
  });

  it('without shared memory, Cancel terminates the busy workers and fresh ones take the next run', async () => {
    const h = harness(150, { workers: 2, wanted: null });
    h.runner.run(steady('cancelled'));
    h.runner.cancel();
    expect(h.workers.map((w) => w.terminated)).toEqual([true, true]);
    const done = h.next();
    h.runner.run(steady('after'));
    await done;
    expect(h.events.filter((e) => /^(result|error)/.test(e))).toEqual(['result:after']);
    expect(h.workers).toHaveLength(4);
  });

  it('replaces a worker that hangs in a stale run, keeps the others warm, and still delivers', async () => {
    /** Says it started, then never answers again (an endless loop that never polls the flag). */
    class Hung implements WorkerLike {
      onmessage: ((ev: MessageEvent<FromWorker>) => void) | null = null;
      onerror: ((ev: ErrorEvent) => void) | null = null;
      terminated = false;
      postMessage(m: ToWorker): void {
        if (m.type === 'run')
          setTimeout(() => this.onmessage?.({ data: { type: 'started', id: m.id } } as never), 0);
      }
      terminate(): void {
        this.terminated = true;
      }
    }
    const made: WorkerLike[] = [];
    const events: string[] = [];
    let settle: () => void = () => {};
    const runner = new SimRunner(
      () => {
        // the second worker made (lane 1's first) hangs
        const w = made.length === 1 ? new Hung() : new InProcessWorker();
        made.push(w);
        return w;
      },
      {
        onStart: () => {},
        onProgress: () => {},
        onResult: (r) => {
          events.push(`result:${r.scenario}:${r.replications?.count}`);
          settle();
        },
        onError: (m) => {
          events.push(`error:${m}`);
          settle();
        },
        onCancel: () => {},
      },
      { workers: 2, wanted: shared(), stopGraceMs: 30 },
    );
    runner.run(steady('stuck'));
    await new Promise((r) => setTimeout(r, 20));
    const done = new Promise<void>((r) => (settle = r));
    runner.run(steady('next'));
    await done;
    expect(events).toEqual(['result:next:2']);
    expect(runner.workersMade).toEqual([1, 2]);
    expect((made[1] as Hung).terminated).toBe(true);
    runner.dispose();
  });

  it('shows a preview from a worker of its own beside the runs, then the merged full result', async () => {
    const h = harness(150, { workers: 2, previewAboveMs: -1, previewTargetMs: 0 });
    const done = h.next();
    h.runner.run(steady('first'));
    await done;
    // the first replication (6 s measured) cut to its first tenth
    expect(h.events.filter((e) => /^(preview|result)/.test(e))).toEqual([
      'preview:first:0.6s',
      'result:first',
    ]);
    expect(h.results[0].replications?.count).toBe(2);
    expect(h.workers).toHaveLength(3);
  });

  it('drops a preview that comes after the full result', async () => {
    /** An in-process worker whose messages take a while to arrive. */
    class Slow implements WorkerLike {
      onmessage: ((ev: MessageEvent<FromWorker>) => void) | null = null;
      onerror: ((ev: ErrorEvent) => void) | null = null;
      private readonly inner = new InProcessWorker();
      constructor() {
        this.inner.onmessage = (ev) => setTimeout(() => this.onmessage?.(ev), 80);
      }
      postMessage(m: ToWorker): void {
        this.inner.postMessage(m);
      }
      terminate(): void {
        this.inner.terminate();
      }
    }
    const made: WorkerLike[] = [];
    const events: string[] = [];
    let settle: () => void = () => {};
    const runner = new SimRunner(
      () => {
        // the preview's worker is made first
        const w = made.length === 0 ? new Slow() : new InProcessWorker();
        made.push(w);
        return w;
      },
      {
        onStart: () => {},
        onProgress: () => {},
        onPreview: (r) => events.push(`preview:${r.scenario}`),
        onResult: (r) => {
          events.push(`result:${r.scenario}`);
          settle();
        },
        onError: (m) => events.push(`error:${m}`),
        onCancel: () => {},
      },
      { workers: 2, previewAboveMs: -1, previewTargetMs: 0 },
    );
    const done = new Promise<void>((r) => (settle = r));
    runner.run(steady('late'));
    await done;
    await new Promise((r) => setTimeout(r, 200));
    expect(events).toEqual(['result:late']);
    runner.dispose();
  });
});
