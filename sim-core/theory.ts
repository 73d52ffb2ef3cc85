// Closed-form queueing results the simulator is held to, and that the UI shows beside a slider:
// Erlang B and C, M/M/c, M/M/c/K, M/D/1 and M/G/1 (Pollaczek–Khinchine), exact MVA for a closed
// network with think time, multi-server queueing stations and delay stations, and Little's law.
// `analyticFor(scenario)` picks the formula that applies to a scenario, or returns null.
// Rates are per millisecond and times in milliseconds unless a name says otherwise.
import type { Scenario } from './schema';
import { Sampler } from './dist';

/** Erlang B: blocking probability of c servers offered a erlangs with no waiting room. */
export function erlangB(c: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/** Erlang C: probability an arrival waits, c servers offered a erlangs (a < c); 1 when a ≥ c. */
export function erlangC(c: number, a: number): number {
  if (a >= c) return 1;
  const b = erlangB(c, a);
  return b / (1 - (a / c) * (1 - b));
}

/** Figures of a queue in steady state (times in the unit of the inputs). */
export interface QueueFigures {
  /** Mean time waiting before service. */
  wait: number;
  /** Mean time in the system (wait + service). */
  response: number;
  /** Mean number waiting. */
  queue: number;
  /** Mean number in the system. */
  inSystem: number;
  /** Busy servers / servers. */
  utilization: number;
  /** Probability an arrival waits (M/M/c) or is blocked (M/M/c/K). */
  pWait: number;
  /** Probability an arrival is turned away (M/M/c/K), 0 otherwise. */
  blocking: number;
  /** Accepted arrivals per unit time. */
  throughput: number;
}

/** M/M/c with arrival rate lambda, service rate mu per server, c servers (needs lambda < c·mu). */
export function mmc(lambda: number, mu: number, c: number): QueueFigures {
  const a = lambda / mu;
  const rho = a / c;
  if (rho >= 1) throw new Error(`M/M/c is unstable: utilisation ${rho.toFixed(3)} >= 1`);
  const pw = erlangC(c, a);
  const wait = pw / (c * mu - lambda);
  return {
    wait,
    response: wait + 1 / mu,
    queue: lambda * wait,
    inSystem: lambda * (wait + 1 / mu),
    utilization: rho,
    pWait: pw,
    blocking: 0,
    throughput: lambda,
  };
}

/** q-quantile of the M/M/1 response time (exponential with rate mu − lambda). */
export function mm1ResponseQuantile(lambda: number, mu: number, q: number): number {
  if (lambda >= mu) throw new Error('M/M/1 is unstable');
  return -Math.log(1 - q) / (mu - lambda);
}

/**
 * P(T > t) for the M/M/c response time T = W + S (FIFO): an arrival waits with probability
 * C = Erlang C, and then for an Exp(cμ − λ) time; its service S is Exp(μ), independent.
 */
export function mmcResponseTail(lambda: number, mu: number, c: number, t: number): number {
  if (lambda >= c * mu) return 1;
  if (t <= 0) return 1;
  const pw = erlangC(c, lambda / mu);
  const theta = c * mu - lambda;
  const s = Math.exp(-mu * t);
  // P(Exp(θ) + Exp(μ) > t)
  const sum =
    Math.abs(theta - mu) < 1e-12 * mu
      ? (1 + mu * t) * s
      : (theta * s - mu * Math.exp(-theta * t)) / (theta - mu);
  return (1 - pw) * s + pw * sum;
}

/** q-quantile of the M/M/c response time (FIFO); Infinity when λ ≥ cμ. */
export function mmcResponseQuantile(lambda: number, mu: number, c: number, q: number): number {
  if (lambda >= c * mu) return Infinity;
  const target = 1 - q;
  let lo = 0;
  let hi = 1 / mu;
  while (mmcResponseTail(lambda, mu, c, hi) > target) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (mmcResponseTail(lambda, mu, c, mid) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * M/M/c/K: c servers, at most K in the system (K − c waiting); arrivals finding K are blocked.
 * Stable for any load. Probabilities are summed in log space, so K of 100,000 is fine.
 */
export function mmck(lambda: number, mu: number, c: number, K: number): QueueFigures {
  if (K < c) throw new Error('M/M/c/K needs K >= c');
  const a = lambda / mu;
  const la = Math.log(a);
  const logs = new Float64Array(K + 1);
  let lf = 0; // log n! for n ≤ c
  for (let n = 0; n <= K; n++) {
    if (n <= c) {
      if (n > 0) lf += Math.log(n);
      logs[n] = n * la - lf;
    } else {
      logs[n] = logs[c] + (n - c) * (la - Math.log(c));
    }
  }
  let max = -Infinity;
  for (let n = 0; n <= K; n++) if (logs[n] > max) max = logs[n];
  let z = 0;
  for (let n = 0; n <= K; n++) z += Math.exp(logs[n] - max);
  let L = 0;
  let Lq = 0;
  let busy = 0;
  let pWait = 0;
  for (let n = 0; n <= K; n++) {
    const p = Math.exp(logs[n] - max) / z;
    L += n * p;
    if (n > c) Lq += (n - c) * p;
    busy += Math.min(n, c) * p;
    if (n >= c && n < K) pWait += p;
  }
  const pK = Math.exp(logs[K] - max) / z;
  const lamEff = lambda * (1 - pK);
  return {
    wait: lamEff > 0 ? Lq / lamEff : 0,
    response: lamEff > 0 ? L / lamEff : 0,
    queue: Lq,
    inSystem: L,
    utilization: busy / c,
    pWait: pK < 1 ? pWait / (1 - pK) : 1,
    blocking: pK,
    throughput: lamEff,
  };
}

/** M/G/1 by Pollaczek–Khinchine: service mean `s` and squared coefficient of variation `scv`. */
export function mg1(lambda: number, s: number, scv: number): QueueFigures {
  const rho = lambda * s;
  if (rho >= 1) throw new Error(`M/G/1 is unstable: utilisation ${rho.toFixed(3)} >= 1`);
  const wait = (rho * s * (1 + scv)) / (2 * (1 - rho));
  return {
    wait,
    response: wait + s,
    queue: lambda * wait,
    inSystem: lambda * (wait + s),
    utilization: rho,
    pWait: rho,
    blocking: 0,
    throughput: lambda,
  };
}

/** M/D/1: Pollaczek–Khinchine with a constant service time d. */
export function md1(lambda: number, d: number): QueueFigures {
  return mg1(lambda, d, 0);
}

/** A station of a closed network for MVA. */
export interface MvaStation {
  /** Service demand per visit (time). */
  demand: number;
  /** Servers (1 for a plain queue); ignored for a delay station. */
  servers?: number;
  /** A delay (infinite-server) station: no queueing. */
  delay?: boolean;
}

/** Result of MVA at population N. */
export interface MvaResult {
  /** Requests per unit time (cycles through the queueing stations). */
  throughput: number;
  /** Time per cycle spent at the queueing and delay stations (excluding think). */
  response: number;
  /** Per-station mean residence time. */
  residence: number[];
  /** Per-station mean number present. */
  queue: number[];
  /** Per-station utilisation (busy servers / servers). */
  utilization: number[];
}

/**
 * Exact MVA of a closed product-form network: N customers, think time Z, stations that are
 * queues with one or more servers (load-dependent MVA with marginal probabilities for c > 1) or
 * delays. Exact for exponential service at the queues; the think time may have any distribution.
 */
export function mva(N: number, Z: number, stations: MvaStation[]): MvaResult {
  const K = stations.length;
  const Q = new Float64Array(K);
  // marginal probabilities p_k(j | n) for multi-server stations, j = 0..n
  const P: Float64Array[] = stations.map(() => {
    const p = new Float64Array(N + 1);
    p[0] = 1;
    return p;
  });
  const R = new Float64Array(K);
  let X = 0;
  for (let n = 1; n <= N; n++) {
    for (let k = 0; k < K; k++) {
      const st = stations[k];
      const c = st.servers ?? 1;
      if (st.delay) R[k] = st.demand;
      else if (c === 1) R[k] = st.demand * (1 + Q[k]);
      else {
        // R = D/c · (1 + Q + Σ_{j=0}^{c-2} (c − 1 − j) p(j | n−1))
        const p = P[k];
        let corr = 0;
        for (let j = 0; j <= Math.min(c - 2, n - 1); j++) corr += (c - 1 - j) * p[j];
        R[k] = (st.demand / c) * (1 + Q[k] + corr);
      }
    }
    let sumR = 0;
    for (let k = 0; k < K; k++) sumR += R[k];
    X = n / (Z + sumR);
    for (let k = 0; k < K; k++) {
      Q[k] = X * R[k];
      const st = stations[k];
      const c = st.servers ?? 1;
      if (!st.delay && c > 1) {
        const p = P[k];
        // p(j | n) = X·D / min(j, c) · p(j−1 | n−1), for j ≥ 1; p(0 | n) by normalisation
        let s = 0;
        for (let j = Math.min(n, N); j >= 1; j--) {
          p[j] = ((X * st.demand) / Math.min(j, c)) * p[j - 1];
          s += p[j];
        }
        p[0] = Math.max(0, 1 - s);
      }
    }
  }
  return mvaResult(
    X,
    R,
    Q,
    stations.map((st) => (st.delay ? 0 : (X * st.demand) / (st.servers ?? 1))),
  );
}

/** An MVA result from the throughput and the per-station residence times and queues. */
function mvaResult(X: number, R: Float64Array, Q: Float64Array, utilization: number[]): MvaResult {
  let sumR = 0;
  for (const r of R) sumR += r;
  return {
    throughput: X,
    response: sumR,
    residence: Array.from(R),
    queue: Array.from(Q),
    utilization,
  };
}

/** A station of a closed network whose service rate depends on how many jobs are present. */
export interface LdStation {
  /** Service demand per visit (time) of a job alone at the station. */
  demand: number;
  /**
   * Total service rate with j jobs present, relative to one job alone (α(1) = 1): j for a delay,
   * min(j, c) for c servers or c cores shared by processor sharing, min(j, c) / (1 + σ(j−1) +
   * κj(j−1)) for a host with a USL slowdown.
   */
  alpha: (j: number) => number;
}

/**
 * Exact MVA of a closed product-form network with load-dependent stations (Reiser–Lavenberg, with
 * marginal probabilities): R_k(n) = Σ_j j·D_k/α_k(j)·p_k(j−1 | n−1), p_k(j | n) = X(n)·D_k/α_k(j)·
 * p_k(j−1 | n−1). Exact for exponential service (and for processor sharing with any demand).
 */
export function ldMva(N: number, Z: number, stations: LdStation[]): MvaResult {
  const K = stations.length;
  const P = stations.map(() => {
    const p = new Float64Array(N + 1);
    p[0] = 1;
    return p;
  });
  const A = stations.map((st) =>
    Float64Array.from({ length: N + 1 }, (_, j) => (j === 0 ? 1 : st.alpha(j))),
  );
  const R = new Float64Array(K);
  const Q = new Float64Array(K);
  let X = 0;
  for (let n = 1; n <= N; n++) {
    for (let k = 0; k < K; k++) {
      const p = P[k];
      const D = stations[k].demand;
      let r = 0;
      for (let j = 1; j <= n; j++) r += ((j * D) / A[k][j]) * p[j - 1];
      R[k] = r;
    }
    let sumR = 0;
    for (let k = 0; k < K; k++) sumR += R[k];
    X = n / (Z + sumR);
    for (let k = 0; k < K; k++) {
      const p = P[k];
      const D = stations[k].demand;
      let s = 0;
      for (let j = n; j >= 1; j--) {
        p[j] = ((X * D) / A[k][j]) * p[j - 1];
        s += p[j];
      }
      p[0] = Math.max(0, 1 - s);
      Q[k] = X * R[k];
    }
  }
  return mvaResult(
    X,
    R,
    Q,
    stations.map((st) => X * st.demand),
  );
}

/**
 * The Universal Scalability Law: throughput of N concurrent jobs, X(N) = N·X(1) / (1 + σ(N−1) +
 * κN(N−1)) — contention σ and coherency κ; it peaks at N* = √((1−σ)/κ) and falls past it.
 */
export function usl(N: number, x1: number, sigma: number, kappa: number): number {
  return (N * x1) / (1 + sigma * (N - 1) + kappa * N * (N - 1));
}

/** Little's law: mean number in a system = arrival rate × mean time in it. */
export function little(rate: number, time: number): number {
  return rate * time;
}

/** The analytic answer for a scenario where theory applies (rates per second, times in ms). */
export interface Analytic {
  model: 'M/M/c' | 'M/M/c/K' | 'M/D/1' | 'M/G/1' | 'MVA';
  /** Ok responses per second. */
  throughput_rps: number;
  /** Mean response time of ok responses (ms). */
  latency_mean_ms: number;
  /** Mean wait for a handler (ms). */
  wait_ms: number;
  /** Handler utilisation (0..1). */
  utilization: number;
  /** Fraction of arrivals rejected (M/M/c/K), else 0. */
  blocking: number;
  /** P99 of the response time where known (M/M/1), else null. */
  latency_p99_ms: number | null;
}

/**
 * The closed-form answer for a scenario, or null where none applies. Applies to one `cpu` step
 * on one instance (or several under the `random` balancer, which splits a Poisson stream into
 * Poisson streams), no faults, no client timeout, constant rate:
 * open Poisson with exp service ⇒ M/M/c (M/M/c/K when the backlog can fill); open Poisson with
 * one handler and constant or other service ⇒ M/D/1 or M/G/1; closed with exp service and a
 * backlog that never fills ⇒ exact MVA.
 */
export function analyticFor(s: Scenario): Analytic | null {
  if (s.handler.length !== 1 || !('cpu' in s.handler[0])) return null;
  if (s.gateway.faults.length > 0 || s.server.autoscale) return null;
  const w = s.workload;
  if (w.timeout_ms > 0) return null;
  const svc = Sampler.of(s.handler[0].cpu);
  if (!(svc.mean > 0)) return null;
  const c = s.server.concurrency;
  const I = s.server.instances;
  const mu = 1 / svc.mean; // per ms
  if (w.type === 'open') {
    if (w.arrivals !== 'poisson' || typeof w.rate_rps !== 'number') return null;
    if (I > 1 && s.gateway.balancer !== 'random') return null;
    const lambda = w.rate_rps / 1000 / I;
    const K = c + s.server.backlog;
    if (svc.isExp) {
      const rho = lambda / (c * mu);
      const fig = rho < 0.99 ? mmc(lambda, mu, c) : null;
      const blockingMmc = fig ? mmck(lambda, mu, c, Math.min(K, c + 20000)).blocking : 1;
      if (fig && blockingMmc < 1e-9) {
        return {
          model: 'M/M/c',
          throughput_rps: lambda * 1000 * I,
          latency_mean_ms: fig.response,
          wait_ms: fig.wait,
          utilization: fig.utilization,
          blocking: 0,
          latency_p99_ms: c === 1 ? mm1ResponseQuantile(lambda, mu, 0.99) : null,
        };
      }
      const k = mmck(lambda, mu, c, K);
      return {
        model: 'M/M/c/K',
        throughput_rps: k.throughput * 1000 * I,
        latency_mean_ms: k.response,
        wait_ms: k.wait,
        utilization: k.utilization,
        blocking: k.blocking,
        latency_p99_ms: null,
      };
    }
    if (c !== 1) return null;
    const rho = lambda * svc.mean;
    if (rho >= 0.99) return null;
    const fig = mg1(lambda, svc.mean, svc.scv);
    if (mmck(lambda, 1 / svc.mean, 1, Math.min(K, 20000)).blocking > 1e-6) return null;
    return {
      model: svc.isConst ? 'M/D/1' : 'M/G/1',
      throughput_rps: lambda * 1000,
      latency_mean_ms: fig.response,
      wait_ms: fig.wait,
      utilization: fig.utilization,
      blocking: 0,
      latency_p99_ms: null,
    };
  }
  // closed
  if (w.type !== 'closed' || !svc.isExp || I !== 1) return null;
  const N = w.connections;
  if (N > c + s.server.backlog) return null;
  const Z = w.think ? Sampler.of(w.think).mean : w.think_ms;
  const r = mva(N, Z, [{ demand: svc.mean, servers: c }]);
  return {
    model: 'MVA',
    throughput_rps: r.throughput * 1000,
    latency_mean_ms: r.response,
    wait_ms: r.response - svc.mean,
    utilization: r.utilization[0],
    blocking: 0,
    latency_p99_ms: null,
  };
}
