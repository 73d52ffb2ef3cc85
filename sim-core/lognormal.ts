// The lognormal's closed forms, in one place. With mean m and log-space sigma s: mu = ln m − s²/2;
// its P99 is e^(mu + z·s) (z = Φ⁻¹(0.99)), so P99 / mean = e^(z·s − s²/2), at most e^(z²/2) ≈ 14.97
// (at s = z); below that bound a P99 gives s back (the smaller root). Used by the sampler
// (dist.ts), the schema's limit on p99_ms and calibration's service-time shapes.

/** z of the standard normal at 0.99. */
export const Z99 = 2.3263478740408408;

/** mu (the log-space mean) of a lognormal with this mean and log-space sigma. */
export function lognormalMu(mean: number, sigma: number): number {
  return Math.log(mean) - (sigma * sigma) / 2;
}

/** Sigma of a lognormal with the given mean and 99th percentile (the smaller root), or NaN if none. */
export function lognormalSigmaFromP99(mean: number, p99: number): number {
  // mu = ln(mean) - s²/2 and ln(p99) = mu + z·s  ⇒  s²/2 - z·s + ln(p99/mean) = 0
  const l = Math.log(p99 / mean);
  const disc = Z99 * Z99 - 2 * l;
  if (disc < 0) return NaN;
  return Z99 - Math.sqrt(disc);
}

/** The largest p99/mean ratio a lognormal with a fixed mean can have (e^(z²/2) ≈ 14.97). */
export const LOGNORMAL_MAX_P99_RATIO = Math.exp((Z99 * Z99) / 2);

/** P99 / mean of a lognormal with this log-space sigma. */
export function lognormalP99Ratio(sigma: number): number {
  return Math.exp(Z99 * sigma - (sigma * sigma) / 2);
}

/** Log-space sigma of a lognormal with this coefficient of variation (stddev / mean). */
export function lognormalSigmaFromCv(cv: number): number {
  return Math.sqrt(Math.log(1 + cv ** 2));
}
