// Adapts sim-core's analytic answer (theory.ts `analyticFor`: M/M/c, M/M/c/K, M/D/1, M/G/1,
// exact MVA) to what the console shows beside the simulated numbers; null where no closed form
// applies.
import type { Scenario } from '../../sim-core/schema';
import { analyticFor } from '../../sim-core/theory';
import type { AnalyticView } from '../store/types';

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
