// Public surface of the simulator: `simulate`, its cancellation error, the scenario schema and
// result types, the closed-form queueing formulas (also as the `theory` namespace), the engine
// benchmarks, and the random streams, distributions, histogram and event list.
export { simulate, Simulation, SimCancelled, tQuantile975, SATURATION } from './simulate';
export * from './schema';
export type * from './result';
export * as theory from './theory';
export { analyticFor, type Analytic } from './theory';
export { runBenchmarks, type BenchFigure, type BenchOptions } from './bench';
export { Rng, Zipf, Stream, stream } from './random';
export { Sampler, compileDist } from './dist';
export { lognormalSigmaFromP99, LOGNORMAL_MAX_P99_RATIO } from './lognormal';
export { Histogram } from './histogram';
export { EventList, TimerQueue } from './engine';
