// A planner picking a field in Sweep or Plan gets a range they can run at once: whole numbers for
// counts (the old default gave async.workers 1..20.9), inside the control's limits.
import { describe, expect, it } from 'vitest';
import { CONTROLS } from './controls';
import { defaultRange, isInteger } from './ranges';

describe('default ranges', () => {
  it('give every integer field integer bounds and step, inside its limits', () => {
    for (const def of CONTROLS) {
      const r = defaultRange(def);
      expect(r.from).toBeGreaterThanOrEqual(def.min);
      expect(r.to).toBeLessThanOrEqual(def.max);
      expect(r.to).toBeGreaterThan(r.from);
      expect(r.step).toBeGreaterThan(0);
      if (isInteger(def))
        expect(
          [r.from, r.to, r.step].every(Number.isInteger),
          `${def.path} ${JSON.stringify(r)}`,
        ).toBe(true);
    }
    const workers = CONTROLS.find((c) => c.path === 'async.workers')!;
    expect(defaultRange(workers)).toEqual({ from: 1, to: 21, step: 2 });
  });
});
