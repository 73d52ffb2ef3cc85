// Run slice: the latest simulation result for the edited scenario, its progress and its error.
import type { StateCreator } from 'zustand';
import type { ScenarioInput } from '../../sim-core/schema';
import type { SimResult } from '../../sim-core/result';
import type { AnalyticView } from '../sim/analytic';
import type { AppState, RunSlice } from './types';

/** The state that puts a result (preview or full) on screen. */
function shown(
  s: AppState,
  result: SimResult,
  analytic: AnalyticView | null,
  lastLatencyMs: number,
  scenario: ScenarioInput | undefined,
): Partial<AppState> {
  return {
    resultScenario: scenario ?? s.scenario,
    result,
    analytic,
    runError: null,
    lastLatencyMs,
    resultSeq: s.resultSeq + 1,
  };
}

/** The run slice (see RunSlice). */
export const createRunSlice: StateCreator<AppState, [], [], RunSlice> = (set, get) => ({
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
      ...shown(s, result, analytic, lastLatencyMs, scenario),
      provisional: true,
    })),
  runFinished: (result, analytic, lastLatencyMs, scenario) =>
    set((s) => ({
      ...shown(s, result, analytic, lastLatencyMs, scenario),
      provisional: false,
      runStatus: 'done',
      progress: 1,
    })),
  runFailed: (runError) => set({ runStatus: 'error', runError }),
  runCancelled: () => set({ runStatus: 'cancelled', progress: 0 }),
  runAsk: null,
  confirmedEvents: 0,
  runAsked: (runAsk) => set(runAsk ? { runAsk, runStatus: 'idle', progress: 0 } : { runAsk: null }),
  confirmRun: () => {
    const ask = get().runAsk;
    if (ask) set({ runAsk: null, confirmedEvents: Math.max(get().confirmedEvents, ask.events) });
  },
});
