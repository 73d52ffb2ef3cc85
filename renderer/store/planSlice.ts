// Plan slice: what the Plan view asks (fields with ranges, prices, replications; the SLO is the
// shared set) and what it got (progress, the report, an error). The request settings are
// autosaved; the report stays until the next run.
import type { StateCreator } from 'zustand';
import type { AppState, PlanSlice } from './types';

/** The Plan view's first fields: the async seed's workers and DB pool. */
export const DEFAULT_PLAN_PARAMS = [
  { path: 'async.workers', from: 2, to: 32, step: 2 },
  { path: 'server.instances', from: 1, to: 4, step: 1 },
];

/** The plan slice (see PlanSlice). */
export const createPlanSlice: StateCreator<AppState, [], [], PlanSlice> = (set) => ({
  planParams: DEFAULT_PLAN_PARAMS.map((p) => ({ ...p })),
  planPrices: { 'async.workers': 0.05, 'server.instances': 0.34 },
  planCurrency: 'USD',
  planPeriod: 'hour',
  planReplications: 3,
  planStatus: 'idle',
  planProgress: null,
  planReport: null,
  planError: null,
  setPlanParams: (planParams) => set({ planParams }),
  setPlanPrice: (path, price) =>
    set((s) => {
      const planPrices = { ...s.planPrices };
      if (price === null) delete planPrices[path];
      else planPrices[path] = price;
      return { planPrices };
    }),
  setPlanCurrency: (planCurrency) => set({ planCurrency }),
  setPlanPeriod: (planPeriod) => set({ planPeriod }),
  setPlanReplications: (n) => {
    if (Number.isInteger(n) && n >= 2 && n <= 50) set({ planReplications: n });
  },
  planStarted: () =>
    set({ planStatus: 'running', planProgress: null, planReport: null, planError: null }),
  planProgressed: (planProgress) => set({ planProgress }),
  planFinished: (planReport) =>
    set({ planStatus: planReport.partial ? 'cancelled' : 'done', planReport }),
  planFailed: (planError) => set({ planStatus: 'error', planError }),
});
