// Seeded random streams for the simulator: xoshiro128** on 32-bit integer ops (fast in V8),
// seeded per (seed, stream id) through splitmix32 so every purpose (arrivals, service, routing,
// keys...) draws from its own independent stream. A Zipf sampler (an alias table of exact bucket
// masses, cached per law) picks hot users and items from keyspaces of any size. Math.random is
// never used.

/** Stream ids: one independent stream per purpose, so changing one part leaves the others alone. */
export const Stream = {
  arrivals: 1,
  service: 2,
  routing: 3,
  keys: 4,
  cache: 5,
  think: 6,
  async: 7,
  locks: 8,
} as const;

const TWO_POW_M32 = 2.3283064365386963e-10; // 2^-32
const HALF_STEP = 1.1641532182693481e-10; // 2^-33

/** splitmix32 step: returns the mixed value of `state` (callers advance the state themselves). */
function mix32(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A xoshiro128** generator. `float()` is uniform on (0, 1), never exactly 0 or 1. */
export class Rng {
  /**
   * The four state words. An Int32Array rather than four fields: with pointer compression
   * (Chromium's V8, not Node's) a field holds an integer unboxed only up to 2^30, so fields of
   * 32-bit words are boxed doubles there and the generator ran at about half speed.
   */
  private readonly s = new Int32Array(4);

  /** A generator for (seed, stream): the same pair always gives the same sequence. */
  constructor(seed: number, stream = 0) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    let st =
      mix32(lo ^ 0x9e3779b9) ^
      mix32((hi + 0x7f4a7c15) | 0) ^
      mix32(Math.imul(stream + 1, 0x632be5ab));
    const next = () => {
      st = (st + 0x9e3779b9) | 0;
      return mix32(st) | 0;
    };
    const s = this.s;
    s[0] = next();
    s[1] = next();
    s[2] = next();
    s[3] = next();
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  }

  /** Next raw 32-bit output as an unsigned integer. */
  uint32(): number {
    const s = this.s;
    const s0 = s[0];
    const s1 = s[1];
    const s2 = s[2] ^ s0;
    const s3 = s[3] ^ s1;
    const m = Math.imul(s1, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9);
    s[1] = s1 ^ s2;
    s[0] = s0 ^ s3;
    s[2] = s2 ^ (s1 << 9);
    s[3] = (s3 << 11) | (s3 >>> 21);
    return r >>> 0;
  }

  /** Uniform on the open interval (0, 1) with 2^-32 resolution. */
  float(): number {
    return this.uint32() * TWO_POW_M32 + HALF_STEP;
  }

  /** Uniform integer in [0, n) for n ≤ 2^32 (multiply-shift; bias below 2^-32·n, negligible here). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Exponential with the given mean. */
  exp(mean: number): number {
    return mean * this.exp1();
  }

  /**
   * Standard exponential (mean 1) by the ziggurat method (Marsaglia & Tsang 2000, 256 layers, with
   * the layer index and the value taken from different bits as Doornik recommends): about 99 % of
   * draws cost one 32-bit output, a table lookup and a multiply — no logarithm.
   */
  exp1(): number {
    for (;;) {
      const u = this.uint32();
      const i = u & 255;
      const j = u >>> 8; // 24 bits
      if (j < ZK[i]) return j * ZW[i];
      if (i === 0) return ZR - Math.log(this.float());
      const x = j * ZW[i];
      if (ZF[i] + this.float() * (ZF[i - 1] - ZF[i]) < Math.exp(-x)) return x;
    }
  }

  /**
   * Standard normal by the ziggurat method (Marsaglia & Tsang 2000, 128 layers; layer, sign and
   * value from separate bits of one 32-bit output): ~99 % of draws need no transcendental call.
   */
  normal(): number {
    for (;;) {
      const u = this.uint32();
      const i = u & 127;
      const neg = (u & 128) !== 0;
      const j = u >>> 8; // 24 bits
      const x = j * NW[i];
      if (j < NK[i]) return neg ? -x : x;
      if (i === 0) {
        // the tail beyond NR (Marsaglia 1964)
        let t: number;
        let y: number;
        do {
          t = -Math.log(this.float()) / NR;
          y = -Math.log(this.float());
        } while (y + y < t * t);
        return neg ? -(NR + t) : NR + t;
      }
      if (NF[i] + this.float() * (NF[i - 1] - NF[i]) < Math.exp(-0.5 * x * x)) return neg ? -x : x;
    }
  }
}

// Ziggurat tables for the standard exponential (24-bit values).
const ZR = 7.69711747013105;
const ZV = 3.949659822581572e-3;
const ZK = new Float64Array(256);
const ZW = new Float64Array(256);
const ZF = new Float64Array(256);
(() => {
  const m = 16777216; // 2^24
  let de = ZR;
  let te = de;
  const q = ZV / Math.exp(-de);
  ZK[0] = Math.floor((de / q) * m);
  ZK[1] = 0;
  ZW[0] = q / m;
  ZW[255] = de / m;
  ZF[0] = 1;
  ZF[255] = Math.exp(-de);
  for (let i = 254; i >= 1; i--) {
    de = -Math.log(ZV / de + Math.exp(-de));
    ZK[i + 1] = Math.floor((de / te) * m);
    te = de;
    ZF[i] = Math.exp(-de);
    ZW[i] = de / m;
  }
})();

// Ziggurat tables for the standard normal (24-bit values, sign drawn separately).
const NR = 3.442619855899;
const NV = 9.91256303526217e-3;
const NK = new Float64Array(128);
const NW = new Float64Array(128);
const NF = new Float64Array(128);
(() => {
  const m = 16777216; // 2^24
  let dn = NR;
  let tn = dn;
  const q = NV / Math.exp(-0.5 * dn * dn);
  NK[0] = Math.floor((dn / q) * m);
  NK[1] = 0;
  NW[0] = q / m;
  NW[127] = dn / m;
  NF[0] = 1;
  NF[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(NV / dn + Math.exp(-0.5 * dn * dn)));
    NK[i + 1] = Math.floor((dn / tn) * m);
    tn = dn;
    NF[i] = Math.exp(-0.5 * dn * dn);
    NW[i] = dn / m;
  }
})();

/** A generator for one purpose of one run. */
export function stream(seed: number, id: number): Rng {
  return new Rng(seed, id);
}

/** Cells of a Zipf alias table (2^12), and the 2^20 alias thresholds of each cell. */
const ZA_BITS = 12;
const ZA_CELLS = 1 << ZA_BITS;
const ZA_SHIFT = 32 - ZA_BITS;
const ZA_FRAC = (1 << ZA_SHIFT) - 1;
/** Keys 1..ZA_SINGLE are buckets of their own (when n > ZA_CELLS; all n keys are when n ≤ it). */
const ZA_SINGLE = ZA_CELLS >> 1;

/** A Zipf law's buckets and alias table, shared by every sampler of the same (n, s). */
interface ZipfTable {
  /** Per cell: the alias threshold (of 2^20) and the alias bucket. */
  readonly cut: Int32Array;
  /** Buckets that are one key each: bucket b < single is key b + 1. */
  readonly single: number;
  /** Per wider bucket (after the single ones): first key, number of keys, (first / last)^s. */
  readonly wide: Float64Array;
}

/** Recently built Zipf tables by (n, s) (read-only; 80 KB each at most). */
const zipfTables = new Map<string, ZipfTable>();
const ZIPF_TABLES_MAX = 16;

function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}

/**
 * Σ k^-s over the keys lo..hi (lo > 2048): Euler–Maclaurin to the fifth derivative, whose
 * remainder there is below 1e-20 of the sum, so the mass is exact to double precision.
 */
export function zipfMass(lo: number, hi: number, s: number): number {
  const t = Math.log(hi / lo);
  const fl = Math.pow(lo, -s);
  const fh = Math.pow(hi, -s);
  const integral = lo * fl * t * helper2((1 - s) * t); // ∫ x^-s dx from lo to hi
  const d1 = -s; // x^(s+1) f'(x)
  const d3 = -s * (s + 1) * (s + 2); // x^(s+3) f'''(x)
  const d5 = d3 * (s + 3) * (s + 4); // x^(s+5) f⁽⁵⁾(x)
  const il = 1 / lo;
  const ih = 1 / hi;
  return (
    integral +
    (fl + fh) / 2 +
    (d1 * (fh * ih - fl * il)) / 12 -
    (d3 * (fh * ih ** 3 - fl * il ** 3)) / 720 +
    (d5 * (fh * ih ** 5 - fl * il ** 5)) / 30240
  );
}

/**
 * Builds the (n, s) table: keys 1..2048 are buckets of their own, the rest of 1..n is cut into
 * at most 2048 buckets of geometrically growing width (last/first ≈ (n/2048)^(1/2048)); each
 * bucket gets its exact probability mass, rounded to a whole multiple of 2^-32 (the resolution
 * of one 32-bit draw), and Walker's alias method (Vose's construction in integers, so the rounded
 * masses are met exactly) picks a bucket with one 32-bit draw.
 */
function zipfTable(n: number, s: number): ZipfTable {
  const key = `${n},${s}`;
  const cached = zipfTables.get(key);
  if (cached !== undefined) return cached;
  const single = n <= ZA_CELLS ? n : ZA_SINGLE;
  const mass: number[] = [];
  for (let k = 1; k <= single; k++) mass.push(Math.pow(k, -s));
  const wide: number[] = [];
  if (n > single) {
    const g = ZA_CELLS - single;
    const ratio = n / single;
    let prev = single;
    for (let j = 1; j <= g; j++) {
      const edge = j === g ? n : Math.floor(single * Math.pow(ratio, j / g));
      if (edge <= prev) continue;
      const lo = prev + 1;
      mass.push(zipfMass(lo, edge, s));
      wide.push(lo, edge - lo + 1, Math.pow(lo / edge, s));
      prev = edge;
    }
  }
  // integer weights summing to exactly 2^32: the floors, then one more for the largest fractions
  const units = 4294967296;
  let total = 0;
  for (const m of mass) total += m;
  const weight = new Array<number>(ZA_CELLS).fill(0);
  const rest: number[] = [];
  let sum = 0;
  for (let b = 0; b < mass.length; b++) {
    const x = (mass[b] / total) * units;
    weight[b] = Math.floor(x);
    rest.push(x - weight[b]);
    sum += weight[b];
  }
  const order = rest.map((_, b) => b).sort((a, b) => rest[b] - rest[a] || a - b);
  for (let r = 0; sum < units; r = (r + 1) % order.length) {
    weight[order[r]]++;
    sum++;
  }
  // Vose: each cell holds 2^20 units, those of its own bucket below its threshold
  const cap = ZA_FRAC + 1;
  const cut = new Int32Array(2 * ZA_CELLS);
  const small: number[] = [];
  const large: number[] = [];
  for (let b = 0; b < ZA_CELLS; b++) (weight[b] < cap ? small : large).push(b);
  while (small.length > 0 && large.length > 0) {
    const l = small.pop() as number;
    const g = large.pop() as number;
    cut[2 * l] = weight[l];
    cut[2 * l + 1] = g;
    weight[g] -= cap - weight[l];
    (weight[g] < cap ? small : large).push(g);
  }
  for (const b of large.concat(small)) {
    cut[2 * b] = cap;
    cut[2 * b + 1] = b;
  }
  const table: ZipfTable = { cut, single, wide: Float64Array.from(wide) };
  if (zipfTables.size >= ZIPF_TABLES_MAX) zipfTables.clear();
  zipfTables.set(key, table);
  return table;
}

/**
 * The buckets of the (n, s) table (s > 0) as the alias table draws them: first and last key and
 * the probability one 32-bit draw gives the bucket (for tests of exactness).
 */
export function zipfBuckets(n: number, s: number): { first: number; last: number; p: number }[] {
  const t = zipfTable(Math.floor(n), s);
  const units = new Array<number>(ZA_CELLS).fill(0);
  for (let i = 0; i < ZA_CELLS; i++) {
    units[i] += t.cut[2 * i];
    units[t.cut[2 * i + 1]] += ZA_FRAC + 1 - t.cut[2 * i];
  }
  const out: { first: number; last: number; p: number }[] = [];
  for (let b = 0; b < t.single; b++) out.push({ first: b + 1, last: b + 1, p: units[b] / 2 ** 32 });
  for (let o = 0; o < t.wide.length; o += 3) {
    const first = t.wide[o];
    out.push({ first, last: first + t.wide[o + 1] - 1, p: units[t.single + o / 3] / 2 ** 32 });
  }
  return out;
}

/**
 * Zipf over ranks 1..n with exponent s (s = 0 is uniform): P(k) ∝ 1/k^s, exactly (each bucket's
 * mass to 2^-32, the resolution of one draw). An alias table of the exact bucket masses picks a
 * bucket with one 32-bit draw; the 2048 hottest keys are buckets of their own, so a hot key costs
 * nothing more. In a wider bucket a key is drawn uniformly and kept with probability (first/k)^s
 * (else drawn again in the same bucket), at once when a second uniform is below (first/last)^s,
 * which it is > 99 % of the time for n = 10^7 and s ≤ 2. The table (≤ 80 KB) is built once per (n, s) and shared.
 */
export class Zipf {
  private readonly cut: Int32Array;
  private readonly single: number;
  private readonly wide: Float64Array;

  /** A sampler of ranks 1..n with exponent s ≥ 0. */
  constructor(
    readonly n: number,
    readonly s: number,
  ) {
    if (!(n >= 1)) throw new Error(`Zipf: n must be >= 1 (got ${n})`);
    if (!(s >= 0)) throw new Error(`Zipf: s must be >= 0 (got ${s})`);
    const t = s === 0 ? null : zipfTable(Math.floor(n), s);
    this.cut = t === null ? new Int32Array(0) : t.cut;
    this.single = t === null ? 0 : t.single;
    this.wide = t === null ? new Float64Array(0) : t.wide;
  }

  /** A rank in 1..n (1 is the most frequent). */
  sample(rng: Rng): number {
    if (this.s === 0) return 1 + Math.floor(rng.float() * this.n);
    const u = rng.uint32();
    const i = u >>> ZA_SHIFT;
    const cut = this.cut;
    const b = (u & ZA_FRAC) < cut[2 * i] ? i : cut[2 * i + 1];
    if (b < this.single) return b + 1;
    const o = 3 * (b - this.single);
    const lo = this.wide[o];
    const w = this.wide[o + 1];
    const rho = this.wide[o + 2];
    for (;;) {
      const k = lo + Math.floor(rng.float() * w);
      const v = rng.float();
      if (v <= rho || v <= Math.pow(lo / k, this.s)) return k;
    }
  }
}
