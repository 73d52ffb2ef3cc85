// A log-linear (HDR-style) latency histogram in fixed memory: values are kept in nanoseconds in
// buckets of 128 linear sub-buckets per power of two, so any quantile is within 1/256 (0.39 %)
// of the truth (exact below 128 ns), from 1 ns to about three days (longer values fall in the top
// bucket; max stays exact). Recording is a few integer ops (Math.clz32), no allocation, into 21 KB
// of 32-bit counts (up to 4 billion values per bucket). Count, sum, min and max are kept exactly.

const SUB_BITS = 7;
const SUB = 1 << SUB_BITS; // 128
const MAX_SHIFT = 40; // top bucket starts at 2^47 ns ≈ 39 h: longer values count there
const BUCKETS = (MAX_SHIFT + 2) * SUB;
const NS = 1e6; // ns per ms

/** Index of the bucket holding v ns (v ≥ 0). */
function indexOf(v: number): number {
  // the rare big values take a function of their own: indexOf stays small enough to inline
  if (!(v < 4294967296)) return indexOfLarge(v);
  const u = v >>> 0;
  if (u < SUB) return u;
  const shift = 31 - Math.clz32(u) - SUB_BITS;
  return shift * SUB + (u >>> shift);
}

/** indexOf for v ≥ 2^32 ns. */
function indexOfLarge(v: number): number {
  let e = Math.floor(Math.log2(v));
  if (Math.pow(2, e) > v) e--;
  let shift = e - SUB_BITS;
  if (shift > MAX_SHIFT) shift = MAX_SHIFT;
  let sub = Math.floor(v / Math.pow(2, shift));
  if (sub >= 2 * SUB) sub = 2 * SUB - 1;
  return shift * SUB + sub;
}

/** Midpoint (ns) of bucket i. */
function valueOf(i: number): number {
  if (i < 2 * SUB) return i + 0.5;
  const shift = Math.floor(i / SUB) - 1;
  const sub = i - shift * SUB;
  const width = Math.pow(2, shift);
  return sub * width + width / 2;
}

/**
 * A histogram as plain data (structured clone or JSON: an empty one's min and max are never read):
 * count, sum, min and max, and the non-empty buckets as [index, count, index, count, …]. What a
 * run sends so that runs can be merged (merge.ts).
 */
export interface HistogramData {
  count: number;
  sum: number;
  min: number;
  max: number;
  buckets: number[];
}

/** Streaming latency histogram (values in ms). */
export class Histogram {
  /** Counts per bucket (32-bit: 21 KB, so recording stays in the L1 cache). */
  readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  sum = -0; // a double from the start (see DBL0 in engine.ts)
  min = Infinity;
  max = -Infinity;

  /** Adds one value in ms (negative values count as 0). */
  record(ms: number): void {
    const v = ms > 0 ? ms * NS : 0;
    this.counts[indexOf(v)]++;
    this.count++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  /** Forgets every value. */
  reset(): void {
    if (this.count > 0) this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  /** Adds all of `other`'s values to this one. */
  merge(other: Histogram): void {
    if (other.count === 0) return;
    const a = this.counts;
    const b = other.counts;
    for (let i = 0; i < BUCKETS; i++) a[i] += b[i];
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** The values as plain data (only the non-empty buckets). */
  toData(): HistogramData {
    const buckets: number[] = [];
    if (this.count > 0) {
      const c = this.counts;
      for (let i = 0; i < BUCKETS; i++) if (c[i] !== 0) buckets.push(i, c[i]);
    }
    return { count: this.count, sum: this.sum, min: this.min, max: this.max, buckets };
  }

  /** Adds the values `data` describes (from `toData`) to this one. */
  mergeData(data: HistogramData): void {
    if (data.count === 0) return;
    const b = data.buckets;
    for (let k = 0; k + 1 < b.length; k += 2) this.counts[b[k]] += b[k + 1];
    this.count += data.count;
    this.sum += data.sum;
    if (data.min < this.min) this.min = data.min;
    if (data.max > this.max) this.max = data.max;
  }

  /** A histogram holding the values of every one of `parts`. */
  static fromData(...parts: HistogramData[]): Histogram {
    const h = new Histogram();
    for (const d of parts) h.mergeData(d);
    return h;
  }

  /** Mean in ms (0 when empty). */
  mean(): number {
    return this.count > 0 ? this.sum / this.count : 0;
  }

  /** The q-quantile (0 ≤ q ≤ 1) in ms: the value of rank ⌈q·count⌉; 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const rank = Math.max(1, Math.ceil(q * this.count - 1e-9));
    let cum = 0;
    const c = this.counts;
    for (let i = 0; i < BUCKETS; i++) {
      cum += c[i];
      if (cum >= rank) {
        const v = valueOf(i) / NS;
        return v < this.min ? this.min : v > this.max ? this.max : v;
      }
    }
    return this.max;
  }

  /** Points [ms, fraction ≤ ms] of the distribution, at most about `points` of them. */
  cdf(points = 200): [number, number][] {
    const out: [number, number][] = [];
    if (this.count === 0) return out;
    for (let k = 1; k <= points; k++) {
      const f = k / points;
      out.push([this.quantile(f), f]);
    }
    // plus the tail, where latency charts need detail
    const tail = [0.995, 0.999, 0.9995, 0.9999];
    for (const f of tail) out.push([this.quantile(f), f]);
    out.sort((a, b) => a[1] - b[1]);
    const dedup: [number, number][] = [];
    for (const p of out) if (dedup.length === 0 || p[1] > dedup[dedup.length - 1][1]) dedup.push(p);
    return dedup;
  }
}
