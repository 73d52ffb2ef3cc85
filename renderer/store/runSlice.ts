// Run slice: the latest simulation result for the edited scenario, its progress and its error.
import type { StateCreator } from 'zustand';
import type { AppState, RunSlice } from './types';

/** The run slice (see RunSlice). */
export const createRunSlice: StateCreator<AppState, [], [], RunSlice> = (set) => ({
  runStatus: 'idle',
  progress: 0,
  result: null,
  analytic: null,
  runError: null,
  lastLatencyMs: null,
  resultSeq: 0,
  resultScenario: null,
  provisional: false,
  runStarted: () => set({ runStatus: 'running', progress: 0, runError: null }),
  runProgress: (progress) => set({ progress }),
  runPreview: (result, analytic, lastLatencyMs, scenario) =>
    set((s) => ({
      resultScenario: scenario ?? s.scenario,
      result,
      analytic,
      runError: null,
      lastLatencyMs,
      provisional: true,
      resultSeq: s.resultSeq + 1,
    })),
  runFinished: (result, analytic, lastLatencyMs, scenario) =>
    set((s) => ({
      resultScenario: scenario ?? s.scenario,
      runStatus: 'done',
      progress: 1,
      result,
      analytic,
      runError: null,
      lastLatencyMs,
      provisional: false,
      resultSeq: s.resultSeq + 1,
    })),
  runFailed: (runError) => set({ runStatus: 'error', runError }),
  runCancelled: () => set({ runStatus: 'cancelled', progress: 0 }),
});
