// The Pareto front of cost against latency: the configurations for which no other is both
// cheaper (or as cheap) and faster — what each extra unit of money buys.

/** Points of the front, cheapest first; each is faster than every cheaper one. */
export function paretoFront<T>(
  points: readonly T[],
  cost: (p: T) => number,
  latency: (p: T) => number,
): T[] {
  const sorted = [...points]
    .filter((p) => Number.isFinite(cost(p)) && !Number.isNaN(latency(p)))
    .sort((a, b) => cost(a) - cost(b) || latency(a) - latency(b));
  const front: T[] = [];
  let bestLatency = Infinity;
  for (const p of sorted) {
    if (latency(p) < bestLatency) {
      front.push(p);
      bestLatency = latency(p);
    }
  }
  return front;
}
