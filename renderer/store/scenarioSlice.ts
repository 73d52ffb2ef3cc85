// Scenario slice: the scenario being edited with undo/redo history; a burst of edits to one
// control within a second (a slider drag, held arrow key) is one undo step. Every change is
// followed in the JSON editor's draft, if there is one (editor/draft.ts: merged, or a choice).
import type { StateCreator } from 'zustand';
import type { AppState, ScenarioSlice } from './types';
import { DEFAULT_SCENARIO } from '../scenario/defaults';
import type { ScenarioInput } from '../../sim-core/schema';
import { followScenario } from '../editor/draft';

const HISTORY_LIMIT = 200;
const COALESCE_MS = 1000;

/** The scenario slice (see ScenarioSlice). `now` is injectable for tests. */
export const createScenarioSlice =
  (now: () => number = () => Date.now()): StateCreator<AppState, [], [], ScenarioSlice> =>
  (set, get) => {
    /** The draft's side of a change of the scenario to `next` (nothing without a draft). */
    const follow = (next: ScenarioInput, loaded = false): Partial<AppState> => {
      const draft = get().draft;
      if (!draft) return {};
      const f = followScenario(draft, next, loaded);
      return f.note === undefined ? { draft: f.draft } : { draft: f.draft, draftNote: f.note };
    };
    return {
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
        const coalesce =
          key !== undefined && lastEdit?.key === key && t - lastEdit.at < COALESCE_MS;
        set({
          scenario: next,
          past: coalesce ? past : [...past, scenario].slice(-HISTORY_LIMIT),
          future: [],
          lastEdit: key !== undefined ? { key, at: t } : null,
          ...follow(next),
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
          ...follow(next, true),
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
          ...follow(past[past.length - 1]),
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
          ...follow(future[0]),
        });
      },
    };
  };
