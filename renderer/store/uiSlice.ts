// UI slice: theme, language, the open view, presentation mode (and which snapshot it shows), help.
import type { StateCreator } from 'zustand';
import type { AppState, UiSlice } from './types';

/** The ui slice (see UiSlice). */
export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = (set, get) => ({
  theme: 'light',
  language: 'en',
  tab: 'scenario',
  presenting: false,
  presentIndex: -1,
  helpOpen: false,
  notice: null,
  setNotice: (notice) => set({ notice }),
  setTheme: (theme) => set({ theme }),
  setLanguage: (language) => set({ language }),
  setTab: (tab) => set({ tab }),
  setPresenting: (presenting) =>
    set({ presenting, presentIndex: presenting ? get().presentIndex : -1 }),
  stepPresentation: (delta) => {
    const n = get().snapshots.length;
    // Positions: -1 (the current scenario), 0..n-1 (snapshots); wraps around.
    const pos = get().presentIndex + 1;
    const next = (((pos + delta) % (n + 1)) + n + 1) % (n + 1);
    set({ presentIndex: next - 1 });
  },
  setHelpOpen: (helpOpen) => set({ helpOpen }),
});
