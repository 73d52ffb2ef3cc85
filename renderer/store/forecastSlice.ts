// Forecast slice: where the Forecast view's history comes from (a CSV or recording file, or a
// connected Prometheus source and a PromQL query), the horizon and capacity knob chosen, and what
// came out — the forecast with its backtest, and the simulated system under the forecast load.
import type { StateCreator } from 'zustand';
import type { AppState, ForecastSlice } from './types';

export const createForecastSlice: StateCreator<AppState, [], [], ForecastSlice> = (set) => ({
  fcFrom: 'file',
  fcRecording: '',
  fcHistory: null,
  fcPromId: '',
  fcPromQuery: 'sum(rate(peakline_orders_total[5m]))',
  fcPromRangeS: 8 * 86400,
  fcHorizonS: 15 * 60,
  fcKnob: '',
  fcStatus: 'idle',
  fcResult: null,
  fcSim: null,
  fcError: null,
  fcSimDone: 0,
  setFcFrom: (fcFrom) => set({ fcFrom }),
  setFcRecording: (fcRecording) => set({ fcRecording }),
  setFcHistory: (fcHistory) =>
    set({ fcHistory, fcResult: null, fcSim: null, fcError: null, fcStatus: 'idle' }),
  setFcProm: (patch) =>
    set((s) => ({
      fcPromId: patch.id ?? s.fcPromId,
      fcPromQuery: patch.query ?? s.fcPromQuery,
      fcPromRangeS: patch.range_s ?? s.fcPromRangeS,
    })),
  setFcHorizon: (fcHorizonS) => set({ fcHorizonS }),
  setFcKnob: (fcKnob) => set({ fcKnob }),
  fcStarted: (fcStatus) =>
    set({
      fcStatus,
      fcError: null,
      ...(fcStatus === 'loading' ? { fcResult: null, fcSim: null } : {}),
      fcSimDone: 0,
    }),
  fcForecasted: (fcResult) => set({ fcResult, fcSim: null, fcStatus: 'simulating', fcSimDone: 0 }),
  fcSimProgress: (fcSimDone) => set({ fcSimDone }),
  fcSimulated: (fcSim) => set({ fcSim, fcStatus: 'done' }),
  fcFailed: (fcError) => set({ fcError, fcStatus: 'error' }),
});
