// The console asks before a run that would never end: with `duration_s: 1e9` nothing is started
// until the planner says yes; a yes starts it and also covers a slightly longer next step; a much
// longer one asks again; a short scenario runs at once and clears the question. The worker is
// in-process (jsdom has no Web Worker) and runs the real simulation.
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../sim-core/schema';
import { createAppStore } from '../store';
import { connectSimulation } from './connect';
import { InProcessWorker } from './testing';
import asyncFile from '../../profiles/seed-async-queue.json';

const seed = asyncFile as unknown as ScenarioInput;

describe('a run that would never end', () => {
  it('waits for a yes, which starts it and covers a step of up to 1.5 ×; a short run clears it', async () => {
    const store = createAppStore();
    store.getState().loadScenario({ ...seed, duration_s: 1e9 }, null);
    const workers: InProcessWorker[] = [];
    const sim = connectSimulation(
      store,
      () => {
        const w = new InProcessWorker();
        workers.push(w);
        return w;
      },
      { wanted: null },
    );
    try {
      const ask = store.getState().runAsk;
      expect(ask).not.toBeNull();
      expect(ask!.events).toBeGreaterThan(1e12);
      expect(ask!.simulated_s).toBe(1e9 + 3);
      expect(store.getState().runStatus).toBe('idle');
      expect(sim.runner.busy).toBe(false);
      expect(workers).toHaveLength(0);

      // yes: the run starts (and is stopped here before the worker takes it up)
      store.getState().confirmRun();
      expect(store.getState().runAsk).toBeNull();
      expect(store.getState().runStatus).toBe('running');
      expect(sim.runner.busy).toBe(true);
      sim.runner.cancel();

      // a step to 1.2 × goes without asking; to 3 × asks again
      const s = store.getState().scenario;
      store.getState().setScenario({ ...s, duration_s: 1.2e9 });
      expect(store.getState().runAsk).toBeNull();
      expect(sim.runner.busy).toBe(true);
      store.getState().setScenario({ ...s, duration_s: 3e9 });
      expect(store.getState().runAsk?.simulated_s).toBe(3e9 + 3);
      expect(sim.runner.busy).toBe(false);

      // a short scenario runs at once, and the question goes away
      store.getState().setScenario({ ...s, duration_s: 2 });
      expect(store.getState().runAsk).toBeNull();
      await new Promise<void>((resolve) => {
        const unsub = store.subscribe((st) => {
          if (st.runStatus === 'done') {
            unsub();
            resolve();
          }
        });
      });
      expect(store.getState().result?.duration_s).toBe(2);
    } finally {
      sim.stop();
    }
  });
});
