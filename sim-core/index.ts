// Public surface of the simulator: `simulate`, its cancellation error, the scenario schema and
// result types, the closed-form queueing formulas, and the random streams and distributions.
export { simulate, SimCancelled, tQuantile975, SATURATION } from './simulate';
export * from './schema';
export type * from './result';
export { Rng, Zipf, Stream, stream } from './random';
export { Sampler, compileDist, lognormalSigmaFromP99, LOGNORMAL_MAX_P99_RATIO } from './dist';
export { Histogram } from './histogram';
export { EventList, Environment } from './engine';
