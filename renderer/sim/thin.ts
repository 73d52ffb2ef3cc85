// Thinning a result for drawing: a time series cut to about the points a chart can show (peaks
// kept) and a CDF to a few hundred points. The simulation worker thins what it posts; the charts
// thin again for their width.
import type { SeriesPoint } from '../../sim-core/result';

/** Reduces a series to at most `maxPoints` rows: per bucket the first row with each numeric
 * field's max (peaks stay visible; about 1–2 points per pixel). */
export function downsample(series: readonly SeriesPoint[], maxPoints: number): SeriesPoint[] {
  if (series.length <= maxPoints || maxPoints < 2) return series.slice();
  const out: SeriesPoint[] = [];
  const size = series.length / maxPoints;
  for (let b = 0; b < maxPoints; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(series.length, Math.floor((b + 1) * size));
    if (end <= start) continue;
    const row: SeriesPoint = { ...series[start] };
    for (let i = start + 1; i < end; i++) {
      const p = series[i];
      for (const k of Object.keys(p) as (keyof SeriesPoint)[])
        if (k !== 't_s' && p[k] > row[k]) row[k] = p[k];
    }
    out.push(row);
  }
  return out;
}

/** Thins a CDF to at most `maxPoints` points, keeping both ends. */
export function thinCdf(cdf: readonly [number, number][], maxPoints: number): [number, number][] {
  if (cdf.length <= maxPoints) return cdf.slice();
  const out: [number, number][] = [];
  const step = (cdf.length - 1) / (maxPoints - 1);
  for (let i = 0; i < maxPoints; i++) out.push(cdf[Math.round(i * step)]);
  return out;
}
