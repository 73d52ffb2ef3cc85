// Arrivals of an open workload: a rate that is constant or piecewise-linear in time, inverted so
// that the next arrival's time follows from a unit of cumulative intensity (1 for evenly spaced
// arrivals, an Exp(1) draw for Poisson ones). Pure: no Node or DOM imports.
import { DBL0 } from './engine';

/** Rate function of an open workload, inverted for arrival times (ms). */
export class RateCurve {
  readonly T: Float64Array; // segment starts (ms)
  readonly R: Float64Array; // rate at segment start (per ms)
  private seg = 0;
  private cum = DBL0; // Λ at segment start
  private cumAt = DBL0; // Λ(t) of the last arrival
  private last = DBL0; // time of the last arrival
  readonly constant: number; // per ms, or -1 when the rate changes

  constructor(rate: number | [number, number][]) {
    if (typeof rate === 'number') {
      this.T = Float64Array.of(0);
      this.R = Float64Array.of(rate / 1000);
      this.constant = rate / 1000;
    } else {
      const pts = rate.map(([t, r]) => [t * 1000, r / 1000] as [number, number]);
      if (pts[0][0] > 0) pts.unshift([0, pts[0][1]]);
      this.T = Float64Array.from(pts.map((p) => p[0]));
      this.R = Float64Array.from(pts.map((p) => p[1]));
      this.constant = pts.length === 1 ? pts[0][1] : -1;
    }
  }

  /** Rate (per ms) at time t. */
  at(t: number): number {
    const T = this.T;
    const R = this.R;
    if (t >= T[T.length - 1]) return R[R.length - 1];
    let j = 0;
    while (j + 1 < T.length && T[j + 1] <= t) j++;
    const w = T[j + 1] - T[j];
    return R[j] + ((R[j + 1] - R[j]) * (t - T[j])) / w;
  }

  /** Time of the arrival whose cumulative intensity is `d` past the previous one (Infinity if none). */
  next(d: number): number {
    if (this.constant > 0) {
      this.last += d / this.constant;
      return this.last;
    }
    const T = this.T;
    const R = this.R;
    const target = this.cumAt + d;
    for (;;) {
      const j = this.seg;
      const t0 = T[j];
      const r0 = R[j];
      if (j === T.length - 1) {
        if (r0 <= 0) return Infinity;
        const t = t0 + (target - this.cum) / r0;
        this.cumAt = target;
        this.last = t;
        return t;
      }
      const w = T[j + 1] - t0;
      const r1 = R[j + 1];
      const segInt = ((r0 + r1) / 2) * w;
      if (this.cum + segInt >= target && segInt > 0) {
        const rem = target - this.cum;
        const k = (r1 - r0) / w;
        const disc = r0 * r0 + 2 * k * rem;
        const x = (2 * rem) / (r0 + Math.sqrt(disc > 0 ? disc : 0));
        const t = t0 + (x < w ? x : w);
        this.cumAt = target;
        this.last = t;
        return t;
      }
      this.cum += segInt;
      this.seg++;
    }
  }
}
