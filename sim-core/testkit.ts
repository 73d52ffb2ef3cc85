// Helpers for the sim-core tests: build a validated scenario from a few fields, and a fast-check
// generator of random valid scenarios (small and quick to run) for property-based tests.
import fc from 'fast-check';
import { ScenarioSchema, type Scenario, type ScenarioInput, type Step } from './schema';

/** A validated scenario: `schema` and `name` filled in, the rest from `fields`. */
export function scenario(
  fields: Partial<ScenarioInput> &
    Pick<ScenarioInput, 'workload' | 'server' | 'handler' | 'duration_s'>,
): Scenario {
  return ScenarioSchema.parse({ schema: 'peakline.scenario/v1', name: 'test', ...fields });
}

/** An exponential service-time distribution. */
export const exp = (mean_ms: number) => ({ dist: 'exp' as const, mean_ms });

const distArb = fc.oneof(
  fc.record({
    dist: fc.constant('exp' as const),
    mean_ms: fc.double({ min: 0.05, max: 20, noNaN: true }),
  }),
  fc.record({
    dist: fc.constant('const' as const),
    ms: fc.double({ min: 0.05, max: 20, noNaN: true }),
  }),
  fc.record({
    dist: fc.constant('uniform' as const),
    min_ms: fc.constant(0.1),
    max_ms: fc.double({ min: 0.1, max: 20, noNaN: true }),
  }),
  fc.record({
    dist: fc.constant('lognormal' as const),
    mean_ms: fc.double({ min: 0.1, max: 10, noNaN: true }),
    sigma: fc.double({ min: 0, max: 1.5, noNaN: true }),
  }),
  fc.record({
    dist: fc.constant('erlang' as const),
    mean_ms: fc.double({ min: 0.1, max: 10, noNaN: true }),
    k: fc.integer({ min: 1, max: 30 }),
  }),
  fc.record({
    dist: fc.constant('gamma' as const),
    mean_ms: fc.double({ min: 0.1, max: 10, noNaN: true }),
    cv: fc.double({ min: 0.1, max: 3, noNaN: true }),
  }),
  fc.record({
    dist: fc.constant('empirical' as const),
    samples_ms: fc.array(fc.double({ min: 0.05, max: 10, noNaN: true }), {
      minLength: 1,
      maxLength: 5,
    }),
  }),
);
const key = fc.constantFrom('user' as const, 'item' as const);
const leaf: fc.Arbitrary<Step> = fc.oneof(
  distArb.map((d) => ({ cpu: d })),
  fc
    .record({
      hit_ratio: fc.double({ min: 0, max: 1, noNaN: true }),
      lookup: distArb,
      miss_query: distArb,
      key,
    })
    .map((c) => ({ cache: c })),
  fc.record({ query: distArb, key }).map((d) => ({ db: d })),
  distArb.map((d) => ({ call: { service: 'svc', time: d } })),
);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: leaf },
  {
    weight: 1,
    arbitrary: fc
      .record({
        key,
        timeout_ms: fc.constantFrom(0, 5, 50),
        steps: fc.array(leaf, { maxLength: 2 }),
      })
      .map((l) => ({ lock: l })),
  },
  { weight: 1, arbitrary: fc.constant({ enqueue: {} }) },
);
/** Random valid scenarios exercising every step, balancer and workload (short runs). */
export const scenarioArb = fc
  .record({
    seed: fc.integer({ min: 0, max: 1000 }),
    duration_s: fc.double({ min: 0.2, max: 2, noNaN: true }),
    warmup_s: fc.double({ min: 0, max: 0.5, noNaN: true }),
    workload: fc.oneof(
      fc.record({
        type: fc.constant('open' as const),
        rate_rps: fc.oneof(
          fc.double({ min: 1, max: 3000, noNaN: true }),
          fc.constant([
            [0, 100],
            [0.5, 2000],
            [1, 0],
          ] as [number, number][]),
        ),
        arrivals: fc.constantFrom('poisson' as const, 'uniform' as const),
        timeout_ms: fc.constantFrom(0, 20, 200),
      }),
      fc.record({
        type: fc.constant('closed' as const),
        connections: fc.integer({ min: 1, max: 64 }),
        think_ms: fc.constantFrom(0, 1, 10),
        timeout_ms: fc.constantFrom(0, 20, 200),
      }),
    ),
    keyspace: fc.record({
      users: fc.integer({ min: 1, max: 100_000 }),
      items: fc.integer({ min: 1, max: 1000 }),
      user_zipf_s: fc.double({ min: 0, max: 1.5, noNaN: true }),
      item_zipf_s: fc.double({ min: 0, max: 1.5, noNaN: true }),
    }),
    gateway: fc.record({
      balancer: fc.constantFrom(
        'round_robin' as const,
        'least_conn' as const,
        'random' as const,
        'hash' as const,
      ),
      max_fails: fc.integer({ min: 0, max: 3 }),
      fail_timeout_s: fc.double({ min: 0, max: 1, noNaN: true }),
      faults: fc.constantFrom([], [{ instance: 0, down_s: 0.1, up_s: 0.4 }]),
    }),
    server: fc.record({
      instances: fc.integer({ min: 1, max: 4 }),
      concurrency: fc.integer({ min: 1, max: 64 }),
      backlog: fc.integer({ min: 0, max: 500 }),
    }),
    // a first cpu step keeps closed loops from spinning at the 10 µs client floor
    handler: fc
      .tuple(fc.double({ min: 0.2, max: 5, noNaN: true }), fc.array(stepArb, { maxLength: 4 }))
      .map(([m, rest]): Step[] => [{ cpu: { dist: 'exp', mean_ms: m } }, ...rest]),
    async: fc.record({
      queue_capacity: fc.integer({ min: 0, max: 50 }),
      when_full: fc.constantFrom('block' as const, 'reject' as const),
      workers: fc.integer({ min: 1, max: 8 }),
      steps: fc.array(leaf, { maxLength: 2 }),
    }),
    db: fc.record({
      pool_size: fc.integer({ min: 1, max: 20 }),
      acquire_timeout_ms: fc.constantFrom(0, 10, 100),
      shards: fc.integer({ min: 1, max: 16 }),
      shard_concurrency: fc.integer({ min: 1, max: 8 }),
    }),
  })
  .map((f) =>
    scenario({
      ...f,
      services: { svc: { concurrency: 4, queue: 20 } },
      stats: { window_s: 0, batches: 5 },
    } as unknown as ScenarioInput),
  );
