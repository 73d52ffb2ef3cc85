// Wires the store to the simulation runner: every change of the edited scenario that validates
// is simulated (latest wins); progress, results, errors and cancellation land in the run slice.
// A run estimated over CONFIRM_EVENTS (sim-core/cost) is not started: the run slice asks first
// (`runAsk`), and a yes covers later runs of up to 1.5 × its size (a slider step on a long run).
import type { StoreApi } from 'zustand/vanilla';
import { validateScenario } from '../../sim-core/validate';
import { estimateCost, needsConfirmation } from '../../sim-core/cost';
import type { AppState } from '../store/types';
import { SimRunner, type RunnerOptions, type WorkerLike } from './runner';

export interface Simulation {
  runner: SimRunner;
  /** Re-simulates the current scenario. */
  rerun(): void;
  cancel(): void;
  stop(): void;
}

/** Subscribes the runner to the store's scenario; returns the controls. */
export function connectSimulation(
  store: StoreApi<AppState>,
  createWorker: () => WorkerLike,
  opts: RunnerOptions = {},
): Simulation {
  const st = () => store.getState();
  // Progress updates are throttled to about 30 a second (no React update per event).
  let lastProgressAt = 0;
  const runner = new SimRunner(
    createWorker,
    {
      onStart: () => st().runStarted(),
      onProgress: (f) => {
        const t = performance.now();
        if (t - lastProgressAt < 33 && f < 1) return;
        lastProgressAt = t;
        st().runProgress(f);
      },
      onPreview: (result, analytic, ms, scenario) =>
        st().runPreview(result, analytic, ms, scenario),
      onResult: (result, analytic, ms, scenario) =>
        st().runFinished(result, analytic, ms, scenario),
      onError: (message) => st().runFailed(message),
      onCancel: () => st().runCancelled(),
    },
    opts,
  );
  const rerun = () => {
    const r = validateScenario(st().scenario, 'scenario');
    if (!r.ok) {
      if (st().runAsk) st().runAsked(null);
      return;
    }
    const cost = estimateCost(r.scenario);
    if (needsConfirmation(cost) && !(cost.events <= 1.5 * st().confirmedEvents)) {
      // whatever runs is of an older scenario: stop it, and ask before this one
      if (runner.busy) runner.cancel();
      st().runAsked(cost);
      return;
    }
    if (st().runAsk) st().runAsked(null);
    runner.run(r.scenario);
  };
  const unsub = store.subscribe((s, prev) => {
    if (s.scenario !== prev.scenario || s.confirmedEvents !== prev.confirmedEvents) rerun();
  });
  rerun();
  return {
    runner,
    rerun,
    cancel: () => runner.cancel(),
    stop: () => {
      unsub();
      runner.dispose();
    },
  };
}

/** A module Web Worker running `renderer/sim/worker.ts` (bundled by Vite). */
export function createSimWorker(): WorkerLike {
  return new Worker(new URL('./worker.ts', import.meta.url), {
    type: 'module',
    name: 'peakline-sim',
  }) as unknown as WorkerLike;
}
