// The capacity plan's public surface: SLO clauses, the cost model, the search, replications with
// confidence intervals, the Pareto front, and a runner of replications in this thread.
export * from './slo';
export * from './cost';
export * from './stats';
export * from './pareto';
export * from './search';
export * from './plan';
export { localRunner } from './local';
export * from './checks';
