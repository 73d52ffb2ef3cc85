// Compare slice: named snapshots of (scenario, result) and the one pinned as A (the SLO the A/B
// verdicts are judged against is the shared set, sloSlice.ts).
import type { StateCreator } from 'zustand';
import type { AppState, CompareSlice } from './types';

let counter = 0;

/** The compare slice (see CompareSlice). */
export const createCompareSlice: StateCreator<AppState, [], [], CompareSlice> = (set, get) => ({
  snapshots: [],
  pinnedA: null,
  takeSnapshot: (name) => {
    const { result, analytic, resultScenario, snapshots } = get();
    const scenario = resultScenario ?? get().scenario;
    if (!result) return null;
    counter += 1;
    const id = `s${Date.now().toString(36)}-${counter}`;
    const label = name?.trim() || `${scenario.name} #${snapshots.length + 1}`;
    set({
      snapshots: [
        ...snapshots,
        { id, name: label, scenario, result, analytic, createdAt: Date.now() },
      ],
    });
    return id;
  },
  removeSnapshot: (id) =>
    set((s) => ({
      snapshots: s.snapshots.filter((x) => x.id !== id),
      pinnedA: s.pinnedA === id ? null : s.pinnedA,
    })),
  pinA: (pinnedA) => set({ pinnedA }),
});
