// The engine benchmarks run and report figures (never asserted on wall time: the clock here is a
// fake that advances 1 ms per reading).
import { describe, expect, it } from 'vitest';
import { runBenchmarks } from './bench';

describe('runBenchmarks', () => {
  it('reports the M/M/c and seed-like figures with their targets', () => {
    let t = 0;
    const figures = runBenchmarks({ now: () => (t += 1), quick: true });
    expect(figures.map((f) => f.name)).toEqual([
      'engine: M/M/8 at ρ = 0.9',
      'bench: seed-like synchronous order path',
      'bench: seed-like async order path',
    ]);
    for (const f of figures) {
      expect(f.wall_ms).toBe(1);
      expect(f.events).toBeGreaterThan(50_000);
      expect(f.events_per_s).toBeCloseTo(f.events! * 1000, 6);
      expect(f.target).toBeTruthy();
      expect(typeof f.meets_target).toBe('boolean');
    }
  }, 60_000);
});
