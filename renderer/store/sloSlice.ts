// SLO slice: the one set of service-level objectives the console judges by — Compare's verdicts,
// the Sweep heatmap's colours, the Plan's search — edited in one place (the SLO editor shown in
// each of those views) and autosaved. Clauses are sim-core's (sim-core/plan/slo.ts), the same the
// CLI's `--slo` reads. `sloP99Ms` follows the P99 clause, for the charts' SLO line.
import type { StateCreator } from 'zustand';
import type { SloClause } from '../../sim-core/plan/slo';
import type { AppState, SloSlice } from './types';

/** The set a new console starts with. */
export const DEFAULT_SLO: readonly SloClause[] = [
  { metric: 'p99', op: '<=', value: 200 },
  { metric: 'error_rate', op: '<=', value: 0.01 },
];

/** The P99 threshold of a set (its first `p99 <=`/`<` clause), or null. */
export function p99Threshold(slo: readonly SloClause[]): number | null {
  const c = slo.find((x) => x.metric === 'p99' && (x.op === '<=' || x.op === '<'));
  return c ? c.value : null;
}

/** The SLO slice (see SloSlice). */
export const createSloSlice: StateCreator<AppState, [], [], SloSlice> = (set, get) => ({
  slo: [...DEFAULT_SLO],
  sloP99Ms: 200,
  setSlo: (sloP99Ms) => {
    if (!(Number.isFinite(sloP99Ms) && sloP99Ms > 0)) return;
    const slo = get().slo;
    const i = slo.findIndex((x) => x.metric === 'p99' && (x.op === '<=' || x.op === '<'));
    const next =
      i >= 0
        ? slo.map((c, j) => (j === i ? { ...c, value: sloP99Ms } : c))
        : [{ metric: 'p99' as const, op: '<=' as const, value: sloP99Ms }, ...slo];
    set({ slo: next, sloP99Ms });
  },
  setSloClauses: (slo) => set({ slo, sloP99Ms: p99Threshold(slo) ?? get().sloP99Ms }),
});
