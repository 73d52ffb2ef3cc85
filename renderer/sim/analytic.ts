// Adapts sim-core's analytic answer (theory.ts `analyticFor`: M/M/c, M/M/c/K, M/D/1, M/G/1,
// exact MVA) to what the console shows beside the simulated numbers; null where no closed form
// applies.
import type { Scenario } from '../../sim-core/schema';
import { analyticFor } from '../../sim-core/theory';

/** The analytic (queueing-theory) answer shown beside the simulated one. */
export interface AnalyticView {
  /** Which model applies (e.g. "M/M/c (Erlang C)"). */
  model: string;
  throughput_rps?: number;
  p50_ms?: number;
  p99_ms?: number;
  mean_ms?: number;
  error_rate?: number;
  /** Anything else the theory module reports, as label → number. */
  extra?: Record<string, number>;
}

/** The analytic view of `scenario`, or null. */
export function analyticView(scenario: Scenario): AnalyticView | null {
  let a: ReturnType<typeof analyticFor>;
  try {
    a = analyticFor(scenario);
  } catch {
    return null;
  }
  if (!a) return null;
  return {
    model: a.model,
    throughput_rps: a.throughput_rps,
    mean_ms: a.latency_mean_ms,
    ...(a.latency_p99_ms !== null ? { p99_ms: a.latency_p99_ms } : {}),
    error_rate: a.blocking,
    extra: { utilization: a.utilization, wait_ms: a.wait_ms },
  };
}
