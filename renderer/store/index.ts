// The console's one zustand store, combined from its typed slices; persistence of the edited
// scenario and preferences to localStorage (so an edit survives a reload or crash); the hook.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { AppState } from './types';
import { createScenarioSlice } from './scenarioSlice';
import { createRunSlice } from './runSlice';
import { createCompareSlice } from './compareSlice';
import { createSweepSlice } from './sweepSlice';
import { createSloSlice } from './sloSlice';
import { createPlanSlice } from './planSlice';
import { createLiveSlice } from './liveSlice';
import { createUiSlice } from './uiSlice';
import { createEditorSlice } from './editorSlice';
import { createForecastSlice } from './forecastSlice';
import { restoreAutosave, startAutosave } from './autosave';

export type AppStore = StoreApi<AppState>;

/** A fresh store (tests make one each; the app makes one at start). */
export function createAppStore(now?: () => number): AppStore {
  return createStore<AppState>()((...a) => ({
    ...createScenarioSlice(now)(...a),
    ...createRunSlice(...a),
    ...createCompareSlice(...a),
    ...createSweepSlice(...a),
    ...createSloSlice(...a),
    ...createPlanSlice(...a),
    ...createLiveSlice(...a),
    ...createUiSlice(...a),
    ...createEditorSlice(...a),
    ...createForecastSlice(...a),
  }));
}

/** The application's store: restored from the autosave, then autosaved on every change. */
export const appStore: AppStore = createAppStore();
if (typeof window !== 'undefined' && typeof localStorage !== 'undefined') {
  restoreAutosave(appStore, localStorage);
  startAutosave(appStore, localStorage);
}

/** Reads a slice of the app store through a selector (never the whole state). */
export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(appStore, selector);
}
