// Checks a plan's request shares between the CLI (`peakline plan`) and the console's Plan view:
// each says what is wrong and leaves how to say where (a flag, a field of the request) to them.
import { validateScenario } from '../validate';
import { setPath } from '../validate/paths';
import type { PlanDim } from './plan';

/** The first value of a varied field that does not make a valid scenario, and why. */
export function invalidValue(
  input: unknown,
  path: string,
  values: readonly number[],
): { value: number; problem: string } | undefined {
  for (const value of values) {
    const r = validateScenario(setPath(input, path, value));
    if (!r.ok) {
      const p = r.problems[0];
      return { value, problem: `${p.path ? `${p.path}: ` : ''}${p.message}` };
    }
  }
  return undefined;
}

/** With no price given anywhere, every varied field costs 1 per unit (the smallest grid wins). */
export function withUnitPrices(
  prices: Record<string, number>,
  dims: readonly PlanDim[],
): Record<string, number> {
  if (Object.keys(prices).length > 0) return prices;
  return Object.fromEntries(dims.map((d) => [d.path, 1]));
}

/**
 * A varied field that may not take negative values but does: a priced one, or the instance and
 * shard counts that multiply prices (a cheaper corner must cost no more).
 */
export function negativePriced(
  dims: readonly PlanDim[],
  prices: Record<string, number>,
): PlanDim | undefined {
  return dims.find(
    (d) =>
      (d.path in prices || d.path === 'server.instances' || d.path === 'db.shards') &&
      d.values.some((v) => v < 0),
  );
}
