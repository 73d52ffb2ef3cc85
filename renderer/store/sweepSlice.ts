// Sweep slice: which scenario paths to vary (one or two), what to show, and the sweep's outcome
// (points and the cheapest configuration meeting the SLO).
import type { StateCreator } from 'zustand';
import type { AppState, SweepSlice } from './types';

/** The sweep slice (see SweepSlice). */
export const createSweepSlice: StateCreator<AppState, [], [], SweepSlice> = (set) => ({
  sweepParams: [{ path: 'async.workers', from: 2, to: 20, step: 2 }],
  sweepMetric: 'p99_ms',
  sweepStatus: 'idle',
  sweepProgress: 0,
  sweepPoints: [],
  sweepCheapest: null,
  sweepError: null,
  sweepSlo: null,
  setSweepParams: (sweepParams) => set({ sweepParams: sweepParams.slice(0, 2) }),
  setSweepMetric: (sweepMetric) => set({ sweepMetric }),
  sweepStarted: () =>
    set({
      sweepStatus: 'running',
      sweepProgress: 0,
      sweepError: null,
      sweepSlo: null,
      sweepPoints: [],
      sweepCheapest: null,
    }),
  sweepProgressed: (sweepProgress) => set({ sweepProgress }),
  sweepFinished: (sweepPoints, sweepCheapest, sweepSlo = null) =>
    set({ sweepStatus: 'done', sweepProgress: 1, sweepPoints, sweepCheapest, sweepSlo }),
  sweepFailed: (sweepError) => set({ sweepStatus: 'error', sweepError }),
  sweepCancelled: () => set({ sweepStatus: 'cancelled' }),
});
