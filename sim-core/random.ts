// Seeded random streams for the simulator: xoshiro128** on 32-bit integer ops (fast in V8),
// seeded per (seed, stream id) through splitmix32 so every purpose (arrivals, service, routing,
// keys...) draws from its own independent stream. A Zipf sampler (rejection-inversion, O(1) per
// draw, no table) picks hot users and items from keyspaces of any size. Math.random is never used.

/** Stream ids: one independent stream per purpose, so changing one part leaves the others alone. */
export const Stream = {
  arrivals: 1,
  service: 2,
  routing: 3,
  keys: 4,
  cache: 5,
  think: 6,
  async: 7,
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
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

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
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next raw 32-bit output as an unsigned integer. */
  uint32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
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

function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}

/**
 * Zipf over ranks 1..n with exponent s (s = 0 is uniform): P(k) ∝ 1/k^s. Rejection-inversion
 * (Hörmann & Derflinger 1996, as in Apache Commons RNG): O(1) expected per draw, no table, so a
 * keyspace of a million users costs nothing to set up.
 */
export class Zipf {
  private readonly hX1: number;
  private readonly hN: number;
  private readonly sVal: number;

  /** A sampler of ranks 1..n with exponent s ≥ 0. */
  constructor(
    readonly n: number,
    readonly s: number,
  ) {
    if (!(n >= 1)) throw new Error(`Zipf: n must be >= 1 (got ${n})`);
    if (!(s >= 0)) throw new Error(`Zipf: s must be >= 0 (got ${s})`);
    this.hX1 = this.hIntegral(1.5) - 1;
    this.hN = this.hIntegral(n + 0.5);
    this.sVal = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  private h(x: number): number {
    return Math.exp(-this.s * Math.log(x));
  }
  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.s) * logX) * logX;
  }
  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.s);
    if (t < -1) t = -1;
    return Math.exp(helper1(t) * x);
  }

  /** A rank in 1..n (1 is the most frequent). */
  sample(rng: Rng): number {
    if (this.s === 0) return 1 + Math.floor(rng.float() * this.n);
    for (;;) {
      const u = this.hN + rng.float() * (this.hX1 - this.hN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.sVal || u >= this.hIntegral(k + 0.5) - this.h(k)) return k;
    }
  }
}
