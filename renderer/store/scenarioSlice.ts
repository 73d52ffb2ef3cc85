// Scenario slice: the scenario being edited with undo/redo history; a burst of edits to one
// control within a second (a slider drag, held arrow key) is one undo step.
import type { StateCreator } from 'zustand';
import type { AppState, ScenarioSlice } from './types';
import { DEFAULT_SCENARIO } from '../scenario/defaults';

const HISTORY_LIMIT = 200;
const COALESCE_MS = 1000;

/** The scenario slice (see ScenarioSlice). `now` is injectable for tests. */
export const createScenarioSlice =
  (now: () => number = () => Date.now()): StateCreator<AppState, [], [], ScenarioSlice> =>
  (set, get) => ({
    scenario: DEFAULT_SCENARIO,
    past: [],
    future: [],
    lastEdit: null,
    asyncStash: null,
    source: null,
    setScenario: (next, key) => {
      const { scenario, past, lastEdit } = get();
      if (next === scenario) return;
      const t = now();
      const coalesce = key !== undefined && lastEdit?.key === key && t - lastEdit.at < COALESCE_MS;
      set({
        scenario: next,
        past: coalesce ? past : [...past, scenario].slice(-HISTORY_LIMIT),
        future: [],
        lastEdit: key !== undefined ? { key, at: t } : null,
      });
    },
    loadScenario: (next, source) => {
      const { scenario, past } = get();
      set({
        scenario: next,
        source,
        past: [...past, scenario].slice(-HISTORY_LIMIT),
        future: [],
        lastEdit: null,
        asyncStash: null,
      });
    },
    setAsyncStash: (asyncStash) => set({ asyncStash }),
    undo: () => {
      const { past, scenario, future } = get();
      if (past.length === 0) return;
      set({
        scenario: past[past.length - 1],
        past: past.slice(0, -1),
        future: [scenario, ...future],
        lastEdit: null,
      });
    },
    redo: () => {
      const { past, scenario, future } = get();
      if (future.length === 0) return;
      set({
        scenario: future[0],
        past: [...past, scenario],
        future: future.slice(1),
        lastEdit: null,
      });
    },
  });
