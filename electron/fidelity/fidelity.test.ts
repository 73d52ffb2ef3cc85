// The pure parts of the fidelity suite, on real pgbench output: reading its per-transaction log and
// summary, percentiles and the spread across repeats, the series CSV, the table a user reads, the
// verdicts against the targets, the CPU share of other processes and the command line. The long
// measurement itself (PostgreSQL, pgbouncer, pgbench) is run by `npm run fidelity`, not by tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cpuPerTransaction,
  othersBetween,
  parsePerCpu,
  parseProcStat,
  perCpuBusy,
  samplePartTicks,
  sampleSched,
  schedPerTransaction,
  type SchedSample,
} from './cpu';
import { flushDist, flushFigures, timeFlushes } from './flush';
import {
  commitFlushOption,
  measuredFlush,
  measuredPoolerCpu,
  measuredStalls,
  measuredWake,
  othersText,
  parseOptions,
  schedSettings,
  seriesBase,
  statementsOf,
  stintsOf,
} from './main';
import { orderScript, pgbenchArgs } from './pgbench';
import { probeWake, wakeProbeAvailable } from './wake';
import { calibrateCommand, modelSched, readFit } from './predict';
import {
  cpuLine,
  errorPct,
  fitLine,
  fmtMs,
  fmtRate,
  formatMarkdown,
  formatSeries,
  formatSeriesTable,
  idleCoresNote,
  peakOf,
  schedLine,
  seriesVerdict,
  summaryLine,
  walLine,
  type SeriesReport,
} from './report';
import {
  commitStalls,
  combineRepeats,
  disturbed,
  latencySummary,
  leastDisturbed,
  median,
  parsePgbenchLog,
  parsePgbenchSummary,
  parseSeriesCsv,
  percentile,
  measuredCpu,
  seriesCsv,
  walFigures,
  type RepeatFigures,
} from './stats';
import { parsePoints } from '../../sim-core/points';

// pgbench 15.20 with the Zipf order script, -c 4 -j 2 -t 5 --log: its two log files (one per
// thread), concatenated, and what it printed.
const LOG = `1 1 13956 0 1796557266 790310
0 1 20063 0 1796557266 796257
1 2 5945 0 1796557266 796272
1 3 7924 0 1796557266 804223
0 2 11042 0 1796557266 807315
1 4 6062 0 1796557266 810295
0 3 7003 0 1796557266 814325
1 5 4032 0 1796557266 814332
0 4 5593 0 1796557266 819956
0 5 5004 0 1796557266 824969
2 1 6065 0 1796557266 782299
3 1 6385 0 1796557266 782727
3 2 3557 0 1796557266 786288
3 3 585 0 1796557266 786881
3 4 3393 0 1796557266 790278
3 5 6196 0 1796557266 796479
2 2 21504 0 1796557266 803816
2 3 6510 0 1796557266 810337
2 4 4250 0 1796557266 814596
2 5 7751 0 1796557266 822354
`;

const SUMMARY = `pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: /tmp/plfix.bTPp/o.sql
scaling factor: 1
query mode: simple
number of clients: 4
number of threads: 2
maximum number of tries: 1
number of transactions per client: 5
number of transactions actually processed: 20/20
number of failed transactions: 0 (0.000%)
latency average = 9.768 ms
initial connection time = 14.689 ms
tps = 409.492025 (without initial connection time)
`;

describe('pgbench output', () => {
  it('reads the per-transaction log: latencies in µs, failed and skipped lines counted apart', () => {
    const log = parsePgbenchLog(LOG);
    expect(log.latencies_us).toHaveLength(20);
    expect(log.failed).toBe(0);
    expect(log.latencies_us[0]).toBe(13956);
    const withFailures = parsePgbenchLog(
      `${LOG}0 6 failed 0 1796557266 830000\n1 6 skipped 0 1796557266 830001\n`,
    );
    expect(withFailures.latencies_us).toHaveLength(20);
    expect(withFailures.failed).toBe(2);
    expect(() => parsePgbenchLog('0 1 abc 0 1 2\n')).toThrow(/line 1: bad latency "abc"/);
    expect(() => parsePgbenchLog('0 1\n')).toThrow(/line 1: expected 6 fields/);
  });

  it('counts the transactions that completed inside a window (epoch ms), for the scheduler figures', () => {
    // completions at …266.782299 s to …266.824969 s; the window takes 796.257 ms to 810.337 ms
    const t = (us: number) => 1796557266 * 1000 + us / 1000;
    const log = parsePgbenchLog(LOG, [t(796257), t(810337)]);
    expect(log.in_window).toBe(8);
    expect(log.latencies_us).toHaveLength(20);
    expect(parsePgbenchLog(LOG).in_window).toBeUndefined();
    expect(parsePgbenchLog(LOG, [0, 1]).in_window).toBe(0);
  });

  it('gives mean, P50, P90, P99 and max in ms by nearest rank', () => {
    const s = latencySummary(parsePgbenchLog(LOG).latencies_us);
    expect(s.count).toBe(20);
    expect(s.mean_ms).toBeCloseTo(7.641, 6); // 152,820 µs / 20
    expect(s.p50_ms).toBe(6.065); // the 10th of 20
    expect(s.p90_ms).toBe(13.956); // the 18th
    expect(s.p99_ms).toBe(21.504); // the 20th: with 20 values P99 is the max
    expect(s.max_ms).toBe(21.504);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(
      percentile(
        Array.from({ length: 1000 }, (_, i) => i + 1),
        0.99,
      ),
    ).toBe(990);
    expect(Number.isNaN(percentile([], 0.5))).toBe(true);
  });

  it("reads pgbench's summary: tps without connection time, transactions, failures", () => {
    expect(parsePgbenchSummary(SUMMARY)).toEqual({
      tps: 409.492025,
      processed: 20,
      failed: 0,
      latency_avg_ms: 9.768,
      connect_ms: 14.689,
    });
    expect(() => parsePgbenchSummary('pgbench: error: connection refused\n')).toThrow(
      /pgbench printed no tps: pgbench: error: connection refused/,
    );
  });
});

const repeat = (tps: number, mean: number, p50: number, p99: number): RepeatFigures => ({
  throughput_rps: tps,
  mean_ms: mean,
  p50_ms: p50,
  p90_ms: p99 * 0.8,
  p99_ms: p99,
  p999_ms: p99 * 1.5,
  max_ms: p99 * 2,
  transactions: Math.round(tps * 10),
  failed: 0,
  connect_ms: 3,
  load1: 1.2,
});

describe('repeats and the series CSV', () => {
  it('takes the median of each figure across repeats and keeps their range', () => {
    const p = combineRepeats(16, [
      repeat(4067, 3.79, 3.24, 12.46),
      repeat(4330, 3.57, 3.0, 11.99),
      repeat(3900, 4.1, 3.5, 15.2),
    ]);
    expect(p).toMatchObject({
      concurrency: 16,
      throughput_rps: 4067,
      mean_ms: 3.79,
      p50_ms: 3.24,
      p99_ms: 12.46,
    });
    expect(p.spread!.throughput_rps.min).toBe(3900);
    expect(p.spread!.throughput_rps.max).toBe(4330);
    expect(p.spread!.throughput_rps.stdev).toBeCloseTo(216.8, 1);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => combineRepeats(4, [])).toThrow(/no repeats measured at 4 clients/);
  });

  it('keeps the repeats least disturbed by other processes, in the order they ran', () => {
    const r = (tps: number, others: number) => ({ ...repeat(tps, 1, 1, 2), others_cores: others });
    const runs = [r(4067, 0.95), r(4313, 0.51), r(5690, 0.08), r(5600, 0.2), r(5500, 0.3)];
    const q = { cores: 0.5, stealPct: 5 };
    expect(runs.map((f) => disturbed(f, q))).toEqual([true, true, false, false, false]);
    const { used, discarded } = leastDisturbed(runs, 3, q);
    expect(used.map((f) => f.throughput_rps)).toEqual([5690, 5600, 5500]);
    expect(discarded.map((f) => f.throughput_rps)).toEqual([4067, 4313]);
    expect(combineRepeats(16, used).throughput_rps).toBe(5600);
    expect(disturbed(repeat(1, 1, 1, 1), q)).toBe(false); // no /proc: counted quiet
  });

  it('says the steal of the repeats kept apart from that of the ones run again', () => {
    const r = (tps: number, steal: number, others = 0) => ({
      ...repeat(tps, 1, 1, 2),
      others_cores: others,
      steal_pct: steal,
    });
    const raw = {
      options: { quietBelow: 0.5, stealBelow: 5 },
      machine: {},
      series: {
        'uniform-direct': {
          points: [{ repeats: [r(2040, 0.4), r(1997, 0.7, 0.1)], discarded: [r(1666, 10.3)] }],
        },
      },
    } as unknown as Parameters<typeof othersText>[0];
    expect(othersText(raw)).toBe(
      '; cores used by other processes during the 2 repeats kept: mean 0.05, max 0.10 (1 more ' +
        'repeats were run again because others used ≥ 0.5 cores or the hypervisor stole ≥ 5 %: ' +
        'mean 0.00, max 0.00); hypervisor steal max 0.7 % in the repeats kept (10.3 % in those run again)',
    );
  });

  it('counts the hypervisor stealing the CPU as a disturbance too', () => {
    // the seventeenth run, uniform straight to PostgreSQL at one client: the repeat with 25 %
    // stolen did half the others' throughput, and the median took one with 10 % stolen
    const r = (tps: number, steal: number, others = 0) => ({
      ...repeat(tps, 1, 1, 2),
      others_cores: others,
      steal_pct: steal,
    });
    const runs = [r(859, 10.3), r(1101, 0.3), r(530, 25, 0.03), r(1080, 0.4), r(1050, 1.2)];
    const q = { cores: 0.5, stealPct: 5 };
    expect(runs.map((f) => disturbed(f, q))).toEqual([true, false, true, false, false]);
    const { used, discarded } = leastDisturbed(runs, 3, q);
    expect(used.map((f) => f.throughput_rps)).toEqual([1101, 1080, 1050]);
    expect(discarded.map((f) => f.throughput_rps)).toEqual([859, 530]);
    // others' processes and steal weigh by how far each is toward its limit
    expect(disturbed(r(1000, 4.9, 0.49), q)).toBe(false);
    expect(disturbed(r(1000, 0, 0.5), q)).toBe(true);
  });

  it('writes the CSV calibrate reads and reads it back (comments allowed)', () => {
    const points = [
      { concurrency: 4, throughput_rps: 2636.24, mean_ms: 1.5071, p50_ms: 1.2678, p99_ms: 5.9851 },
      { concurrency: 1, throughput_rps: 1781.7, mean_ms: 0.557, p50_ms: 0.38, p99_ms: 4.001 },
    ];
    const csv = seriesCsv(points);
    expect(csv).toBe(
      'concurrency,throughput_rps,mean_ms,p50_ms,p99_ms\n' +
        '1,1781.7,0.557,0.38,4.001\n' +
        '4,2636.2,1.507,1.268,5.985\n',
    );
    expect(parseSeriesCsv(`# measured on a 2-core machine\n${csv}`)).toEqual([
      { concurrency: 1, throughput_rps: 1781.7, mean_ms: 0.557, p50_ms: 0.38, p99_ms: 4.001 },
      { concurrency: 4, throughput_rps: 2636.2, mean_ms: 1.507, p50_ms: 1.268, p99_ms: 5.985 },
    ]);
    expect(() => parseSeriesCsv('clients,tps\n1,2\n', 'x.csv')).toThrow(
      'x.csv: the first line must be the header concurrency,throughput_rps,mean_ms,p50_ms,p99_ms',
    );
    expect(() => parseSeriesCsv(`${csv}8,oops,1,1,1\n`, 'x.csv')).toThrow(
      'x.csv: line 4: expected 5 numbers: 8,oops,1,1,1',
    );
  });
});

describe('the CPU per transaction given to calibrate', () => {
  const cpu = (postgres: number, pgbouncer: number, pgbench: number) => ({
    ...repeat(1, 1, 1, 1),
    cpu_ms_per_tx: { postgres, pgbouncer, pgbench },
  });
  const point = (concurrency: number, repeats: RepeatFigures[]) => ({
    concurrency,
    throughput_rps: 1000,
    mean_ms: 1,
    p50_ms: 1,
    p99_ms: 2,
    repeats,
  });

  it("is every process's CPU added up, the median of the repeats, as a cpu_ms column", () => {
    const points = [
      point(8, [cpu(0.26, 0, 0.074), cpu(0.255, 0, 0.073), cpu(0.274, 0, 0.075)]),
      point(1, [cpu(0.349, 0.1, 0.125), cpu(0.344, 0.1, 0.127), cpu(0.337, 0.1, 0.115)]),
    ];
    expect(measuredCpu(points[0])).toBeCloseTo(0.334, 9);
    expect(seriesCsv(points, { cpu: true })).toBe(
      'concurrency,throughput_rps,mean_ms,p50_ms,p99_ms,cpu_ms\n' +
        '1,1000,1,1,2,0.571\n' +
        '8,1000,1,1,2,0.334\n',
    );
    // calibrate reads it
    expect(parsePoints(seriesCsv(points, { cpu: true })).points[1].cpu_ms).toBe(0.334);
  });

  it('is left out when a point did not record it, or when asked (--ignore-cpu)', () => {
    const points = [point(1, [cpu(0.3, 0, 0.1)]), point(8, [repeat(1, 1, 1, 1)])];
    expect(measuredCpu(points[1])).toBeUndefined();
    expect(seriesCsv(points, { cpu: true })).not.toContain('cpu_ms');
    expect(seriesCsv([points[0]], { cpu: false })).not.toContain('cpu_ms');
  });
});

// A measured series that peaks at 16 clients and falls by 64, with predictions that track it to
// 16 and then flatten; calibrated at 1, 4 and 16.
const measured = [
  [1, 1782, 0.557, 0.38, 4.0],
  [2, 2400, 0.83, 0.7, 4.6],
  [4, 2636, 1.51, 1.27, 5.99],
  [16, 4330, 3.57, 3.0, 12.0],
  [64, 3500, 18.2, 15.0, 60.0],
].map(([c, x, m, p50, p99]) => ({
  concurrency: c,
  throughput_rps: x,
  mean_ms: m,
  p50_ms: p50,
  p99_ms: p99,
}));
const predicted = [
  [1, 1790, 0.56, 4.1],
  [2, 2150, 0.93, 4.4],
  [4, 2600, 1.54, 6.2],
  [16, 4300, 3.7, 12.5],
  [64, 4310, 14.8, 30.0],
].map(([c, x, m, p99]) => ({
  concurrency: c,
  throughput_rps: x,
  mean_ms: m,
  p99_ms: p99,
  seeds: 3,
}));
const series: SeriesReport = {
  name: 'uniform-direct',
  measured,
  calibrateAt: [1, 4, 16],
  predicted,
};

describe('the report', () => {
  it('judges held-out points only, by their largest error against the targets', () => {
    expect(errorPct(110, 100)).toBeCloseTo(10);
    expect(errorPct(80, 100)).toBeCloseTo(-20);
    const v = seriesVerdict(series);
    expect(v.heldOut).toEqual([2, 64]);
    expect(
      v.metrics.map((m) => [m.metric, m.worst?.concurrency, Math.round(m.worst!.errorPct), m.ok]),
    ).toEqual([
      ['throughput_rps', 64, 23, false], // 4,310 against 3,500: +23 % > 20 %
      ['mean_ms', 64, -19, true],
      ['p99_ms', 64, -50, false],
    ]);
    expect(v.ok).toBe(false);
    expect(v.measuredPeak).toMatchObject({ peakAt: 16, peak: 4330, lastAt: 64, falls: true });
    expect(v.measuredPeak.dropPct).toBeCloseTo(19.2, 1);
    expect(v.predictedPeak).toMatchObject({ peakAt: 64, falls: false });
    expect(v.peakAgrees).toBe(false);
  });

  it("prints each process's CPU per transaction under a series that recorded it", () => {
    const cpu = (postgres: number, pgbouncer: number) => ({ postgres, pgbouncer, pgbench: 0.1 });
    const pooled: SeriesReport = {
      name: 'uniform-pooled',
      calibrateAt: [1],
      measured: [
        combineRepeats(1, [
          { ...repeat(1200, 0.82, 0.75, 2.2), cpu_ms_per_tx: cpu(0.34, 0.19) },
          { ...repeat(1190, 0.82, 0.75, 2.2), cpu_ms_per_tx: cpu(0.31, 0.18) },
          { ...repeat(1210, 0.82, 0.75, 2.2), cpu_ms_per_tx: cpu(0.54, 0.23) },
        ]),
        combineRepeats(8, [{ ...repeat(2800, 2.9, 2.6, 9), cpu_ms_per_tx: cpu(0.36, 0.14) }]),
      ],
    };
    expect(cpuLine(pooled)).toBe(
      'CPU ms per transaction by clients (median of the repeats): ' +
        '1: postgres 0.340, pgbouncer 0.190, pgbench 0.100 | 8: postgres 0.360, pgbouncer 0.140, pgbench 0.100',
    );
    expect(formatSeries(pooled)).toContain('  CPU ms per transaction by clients');
    // straight to PostgreSQL there is no pgbouncer to name; runs before the figures have no line
    const direct = combineRepeats(1, [
      { ...repeat(1460, 0.68, 0.65, 1), cpu_ms_per_tx: cpu(0.3, 0) },
    ]);
    expect(cpuLine({ ...pooled, measured: [direct] })).toBe(
      'CPU ms per transaction by clients (median of the repeats): 1: postgres 0.300, pgbench 0.100',
    );
    expect(cpuLine({ ...pooled, measured: [combineRepeats(1, [repeat(1200, 0.8, 0.7, 2)])] })).toBe(
      undefined,
    );
  });

  it('prints how PostgreSQL flushed its WAL under a series that recorded it', () => {
    const wal = (tx_per_flush: number, flush_ms: number, flush_busy: number) => ({
      tx_per_flush,
      flush_ms,
      flush_busy,
    });
    const s: SeriesReport = {
      name: 'uniform-direct',
      calibrateAt: [1],
      measured: [
        combineRepeats(1, [
          { ...repeat(880, 1.1, 1, 2), wal: wal(1, 0.226, 0.15) },
          { ...repeat(870, 1.1, 1, 2), wal: wal(1, 0.24, 0.16) },
          { ...repeat(890, 1.1, 1, 2), wal: wal(1, 0.2, 0.14) },
        ]),
        combineRepeats(32, [{ ...repeat(2760, 11.6, 9, 30), wal: wal(2.98, 0.842, 0.6) }]),
      ],
    };
    expect(walLine(s)).toBe(
      'WAL flushes by clients (pg_stat_wal, median of the repeats): ' +
        '1: 1.00 tx a flush, 0.226 ms each, busy 15 % | 32: 2.98 tx a flush, 0.842 ms each, busy 60 %',
    );
    expect(formatMarkdown('t', [], [s])).toContain('WAL flushes by clients');
    // with a model that has a commit flush, how busy its flush was beside the measured figure
    const predicted = [
      {
        concurrency: 32,
        throughput_rps: 2700,
        mean_ms: 11,
        p99_ms: 30,
        flush_busy: 0.55,
        seeds: 3,
      },
    ];
    expect(walLine({ ...s, predicted })).toContain('busy 60 % (model 55 %)');
    expect(walLine({ ...s, measured: [combineRepeats(1, [repeat(1200, 0.8, 0.7, 2)])] })).toBe(
      undefined,
    );
    // from pg_stat_wal's counters: 5,273 transactions in 6 s over 5,273 syncs of 1,150 ms in all
    expect(
      walFigures({ wal_sync: 5273, wal_write_time: 42, wal_sync_time: 1150 }, 5273, 6),
    ).toEqual({ tx_per_flush: 1, flush_ms: 0.226, flush_busy: 0.199 });
    expect(walFigures({ wal_sync: 0, wal_write_time: 0, wal_sync_time: 0 }, 10, 6)).toBeUndefined();
  });

  it('finds no fall when the last point is the peak or within 5 % of it', () => {
    expect(
      peakOf([
        { concurrency: 1, throughput_rps: 10 },
        { concurrency: 2, throughput_rps: 20 },
      ]).falls,
    ).toBe(false);
    const flat = peakOf([
      { concurrency: 8, throughput_rps: 1000 },
      { concurrency: 64, throughput_rps: 960 },
    ]);
    expect(flat).toMatchObject({ peakAt: 8, falls: false });
    expect(flat.dropPct).toBeCloseTo(4);
  });

  it('prints a table with calibration points marked and the errors in %', () => {
    expect(formatSeriesTable(series).split('\n')).toEqual([
      'uniform-direct',
      'point     clients  measured X/s  predicted  err %  mean ms  predicted  err %  P99 ms  predicted  err %',
      'cal             1         1,782      1,790   +0.4    0.557      0.560   +0.5    4.00       4.10   +2.5',
      'held-out        2         2,400      2,150  -10.4    0.830      0.930  +12.0    4.60       4.40   -4.3',
      'cal             4         2,636      2,600   -1.4     1.51       1.54   +2.0    5.99       6.20   +3.5',
      'cal            16         4,330      4,300   -0.7     3.57       3.70   +3.6    12.0       12.5   +4.2',
      'held-out       64         3,500      4,310  +23.1     18.2       14.8  -18.7    60.0       30.0  -50.0',
    ]);
  });

  it('shows the spread of the repeats beside the measured figures', () => {
    const p = combineRepeats(16, [
      repeat(4000, 3.5, 3.0, 11),
      repeat(4200, 3.6, 3.1, 12),
      repeat(4100, 3.7, 3.2, 13),
    ]);
    const row = formatSeriesTable({ name: 's', measured: [p], calibrateAt: [] }).split('\n')[2];
    // ±100 of 4,100 is ±2.4 %; mean ±0.1 of 3.6 is ±2.8 %; P99 ±1 of 12 is ±8.3 %
    expect(row).toBe(
      'held-out       16   4,100 ±2.4%          —      —  3.60 ±2.8%          —      —  12.0 ±8.3%          —      —',
    );
  });

  it('says in one line what passed, what missed and whether the throughput falls', () => {
    expect(summaryLine(series)).toBe(
      'uniform-direct: FAIL — largest held-out errors (2, 64 clients): throughput +23.1 % at 64 (±20 %: MISSED), ' +
        'mean -18.7 % at 64 (±25 %: ok), P99 -50.0 % at 64 (±35 %: MISSED); ' +
        'measured throughput peaks at 16 clients (4,330/s), falls 19 % below by 64; ' +
        'predicted peaks at the last point (4,310/s at 64 clients): no fall measured — the prediction misses the fall',
    );
    expect(summaryLine({ ...series, predicted: undefined, predictNote: '--skip-predict' })).toBe(
      'uniform-direct: no prediction (--skip-predict); measured throughput peaks at 16 clients (4,330/s), falls 19 % below by 64',
    );
  });

  it('writes the same as Markdown, with the context first', () => {
    const md = formatMarkdown('Fidelity', ['Measured on 2 CPUs'], [series]);
    expect(md).toContain('# Fidelity\n\n- Measured on 2 CPUs\n\n## uniform-direct\n');
    expect(md).toContain(
      '| held-out | 64 | 3,500 | 4,310 | +23.1 | 18.2 | 14.8 | -18.7 | 60.0 | 30.0 | -50.0 |',
    );
    expect(md).toContain('Targets on held-out points: throughput ±20 %, mean ±25 %, P99 ±35 %.');
  });

  it('formats figures for reading', () => {
    expect([fmtRate(4329.6), fmtRate(57.25), fmtRate(undefined)]).toEqual(['4,330', '57.3', '—']);
    expect([fmtMs(0.4567), fmtMs(5.678), fmtMs(56.78), fmtMs(1234.5)]).toEqual([
      '0.457',
      '5.68',
      '56.8',
      '1,235',
    ]);
  });
});

describe('the calibration', () => {
  it('reads the USL fit from peakline calibrate --json and says it in one line', () => {
    // What peakline calibrate --json printed for the --quick run's three points (abridged).
    const stdout = JSON.stringify({
      format: 'csv',
      points: [],
      fit: {
        x1_rps: 1665.2,
        demand_ms: 0.6005,
        sigma: 0.4012,
        kappa: 0,
        cores: null,
        peak_concurrency: null,
        peak_throughput_rps: 4150.3,
        r2: 0.8679,
        points: [],
      },
      out: '/tmp/uniform-direct.scenario.json',
    });
    const fit = readFit(stdout)!;
    expect(fit).toEqual({
      x1_rps: 1665.2,
      sigma: 0.4012,
      kappa: 0,
      cores: null,
      peak_concurrency: null,
      peak_throughput_rps: 4150.3,
      r2: 0.8679,
    });
    expect(fitLine(fit)).toBe('USL fit: X(1) 1,665/s, σ 0.401, κ 0, no peak, R² 0.868');
    expect(
      fitLine({
        ...fit,
        sigma: 0,
        kappa: 0.0003114,
        cores: 2,
        peak_concurrency: 2,
        peak_throughput_rps: 2035.2,
      }),
    ).toBe(
      'USL fit: X(1) 1,665/s, σ 0, κ 0.000311, at most 2 cores, peak N* 2.0 → 2,035/s, R² 0.868',
    );
    // a base modelled from its parts, its demand scaled (--base --fit-demand)
    const parts = readFit(
      JSON.stringify({
        fit: {
          method: 'simulation',
          host: 'db',
          cores: 2,
          demand_scale: 0.9843,
          sigma: 0.016,
          kappa: 2.5e-6,
          r2: 0.97,
        },
      }),
    )!;
    expect(parts).toMatchObject({ by_simulation: true, demand_scale: 0.9843 });
    expect(fitLine(parts)).toBe(
      "USL fit by simulation at the calibration points: step times 0.984× the base's, σ 0.0160, κ 0.00000250, R² 0.970 (throughput)",
    );
    // with the CPU measured: CPU and waits apart
    const split = readFit(
      JSON.stringify({
        fit: {
          method: 'simulation',
          host: 'db',
          cores: 2,
          demand_scale: 0.6652,
          cpu_scale: 1.18,
          cpu_ms: 0.3362,
          cpu_source: 'row 3',
          sigma: 0,
          kappa: 8e-5,
          r2: 0.979,
        },
      }),
    )!;
    expect(split).toMatchObject({ demand_scale: 0.6652, cpu_scale: 1.18, cpu_ms: 0.3362 });
    expect(fitLine(split)).toBe(
      "USL fit by simulation at the calibration points: CPU 1.18× the base's (0.336 ms a transaction, the least measured), waits 0.665×, σ 0, κ 0.0000800, R² 0.979 (throughput)",
    );
    // with the host's core speedup fitted (--fit-speedup)
    const shared = readFit(
      JSON.stringify({
        fit: {
          method: 'simulation',
          host: 'db',
          cores: 2,
          cpu_scale: 0.8,
          cpu_ms: 0.33,
          demand_scale: 0.33,
          sigma: 0.01,
          kappa: 1.44e-5,
          core_speedup: 1.325,
          r2: 0.99,
        },
      }),
    )!;
    expect(shared.core_speedup).toBe(1.325);
    expect(fitLine(shared)).toBe(
      "USL fit by simulation at the calibration points: CPU 0.800× the base's (0.330 ms a transaction, the least measured), waits 0.330×, σ 0.0100, κ 0.0000144, core speedup 1.32 (2 cores together do that many times one's work), R² 0.990 (throughput)",
    );
    expect(readFit('peakline: unknown command')).toBeUndefined();
  });

  it('calibrates a pooled series from its parts with the base, not with --pool', () => {
    expect(calibrateCommand('zp.csv', 'zp.json', undefined, 8, 'zp.base.json')).toEqual([
      'peakline',
      'calibrate',
      '--points',
      'zp.csv',
      '--base',
      'zp.base.json',
      '--fit-demand',
      '--out',
      'zp.json',
      '--json',
    ]);
    expect(calibrateCommand('zp.csv', 'zp.json', undefined, 8, 'zp.base.json', true)).toContain(
      '--fit-speedup',
    );
    expect(calibrateCommand('zp.csv', 'zp.json', undefined, 8)).toEqual([
      'peakline',
      'calibrate',
      '--points',
      'zp.csv',
      '--out',
      'zp.json',
      '--json',
      '--pool',
      '8',
    ]);
  });
});

describe('pgbouncer in the pooled series', () => {
  it("counts the statements a request sends: the shipped base's order transaction has five", () => {
    const base = JSON.parse(
      readFileSync(new URL('../../profiles/pg-order-zipf.json', import.meta.url), 'utf8'),
    ) as { handler: unknown };
    // BEGIN, SELECT, UPDATE, INSERT, COMMIT
    expect(statementsOf(base.handler)).toBe(5);
    expect(statementsOf([{ db: {} }, { cpu: {} }, { lock: { steps: [{ db: {} }] } }])).toBe(2);
  });

  it("counts the clients in the DB host's contention, not the pool's connections", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-base-'));
    try {
      const o = parseOptions(['--from', dir, '--out', dir]) as Parameters<typeof seriesBase>[0];
      const read = (f: string) => JSON.parse(readFileSync(f, 'utf8'));
      const pooled = read(
        seriesBase(o, 'uniform-pooled', { items: 100000, zipfS: 0, pool: 8, poolerCpu: 0.19 }),
      );
      expect(pooled.hosts.db.usl.n).toBe('clients');
      expect(pooled.db.pool_size).toBe(8);
      expect(pooled.notes).toContain('usl.n = "clients"');
      const direct = read(seriesBase(o, 'uniform-direct', { items: 100000, zipfS: 0 }));
      expect(direct.hosts.db.usl.n).toBe('connections');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes its CPU from the lowest calibration point: the median of the repeats', () => {
    const cpu = (pgbouncer: number) => ({ postgres: 0.3, pgbouncer, pgbench: 0.1 });
    const p = combineRepeats(1, [
      { ...repeat(1200, 0.8, 0.75, 1.2), cpu_ms_per_tx: cpu(0.19) },
      { ...repeat(1210, 0.8, 0.75, 1.2), cpu_ms_per_tx: cpu(0.23) },
      { ...repeat(1190, 0.8, 0.75, 1.2), cpu_ms_per_tx: cpu(0.18) },
    ]);
    expect(measuredPoolerCpu(p)).toBe(0.19);
    // a run measured before CPU was recorded has none: --pooler-cpu gives it
    expect(measuredPoolerCpu(combineRepeats(1, [repeat(1200, 0.8, 0.75, 1.2)]))).toBeUndefined();
    expect(parseOptions(['--from', 'x', '--pooler-cpu', '0.19'])).toMatchObject({
      poolerCpu: 0.19,
    });
    expect(() => parseOptions(['--pooler-cpu', 'lots'])).toThrow(
      /--pooler-cpu: ms of pgbouncer CPU per transaction, a number > 0 \(got lots\)/,
    );
  });
});

describe("the disk's commit flush", () => {
  it('times commit-like flushes (8 kB written, fdatasync) in a directory and leaves nothing there', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-flush-'));
    try {
      const t = timeFlushes(dir, 20);
      expect(t).toHaveLength(20);
      for (const ms of t) expect(ms).toBeGreaterThan(0);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(existsSync(dir)).toBe(false);
  });

  it('finds the stalls: gaps of 3 ms or more in which no client committed, in the middle of the run', () => {
    // commits every 0.5 ms for 3 s (epoch ms), but none for 4 ms after 1.5 s and none for 10 ms
    // after 2 s; a 2 ms gap at 1.8 s is too short to be a stall
    const ends: number[] = [];
    for (let t = 0; t <= 3000; t += 0.5)
      if (!(t > 1500 && t < 1504) && !(t > 2000 && t < 2010) && !(t > 1800 && t < 1802))
        ends.push(1e12 + t);
    const s = commitStalls(ends.reverse())!;
    // the span looked at: from a second after the first commit to half a second before the last
    expect(s.lengths_ms).toEqual([4, 10]);
    expect(s.per_s).toBe(1.33);
    expect(s.mean_ms).toBe(7);
    expect(s.share).toBe(0.0093);
    expect(commitStalls(ends, [1e12 + 1900, 1e12 + 2100])!.lengths_ms).toEqual([10]);
    expect(commitStalls(ends, undefined, 1)!.lengths_ms).toEqual([4, 2, 10]);
    expect(commitStalls([1e12])).toBeUndefined();
    expect(commitStalls(ends, [5, 5])).toBeUndefined();
    // the per-transaction log gives the commit times
    const t = (us: number) => 1796557266 * 1000 + us / 1000;
    expect(parsePgbenchLog(LOG).ends_ms.slice(0, 2)).toEqual([t(790310), t(796257)]);
  });

  it('takes the stalls per flush and their lengths from the calibration points where neither group commit nor the CPU explains a 3 ms gap', () => {
    const stalls = (per_s: number, lengths_ms: number[]) => ({
      per_s,
      mean_ms: lengths_ms.reduce((a, b) => a + b, 0) / lengths_ms.length,
      share: 0.03,
      lengths_ms,
    });
    const wal = (tx_per_flush: number) => ({ tx_per_flush, flush_ms: 0.2, flush_busy: 0.3 });
    const points = [
      combineRepeats(1, [
        { ...repeat(1000, 0.8, 0.75, 1.2), stalls: stalls(5, [4, 6]), wal: wal(1) },
        { ...repeat(1250, 0.8, 0.75, 1.2), stalls: stalls(3, [5]), wal: wal(1) },
        { ...repeat(1100, 0.8, 0.75, 1.2), stalls: stalls(4.4, [8]), wal: wal(1) },
      ]),
      combineRepeats(4, [{ ...repeat(2000, 2, 1.8, 8), stalls: stalls(10, [7]), wal: wal(1.25) }]),
      combineRepeats(64, [{ ...repeat(2000, 20, 19, 40), stalls: stalls(70, [4]), wal: wal(4) }]),
    ];
    // at 1 client: 5/1000, 3/1250, 4.4/1100 a flush; at 4, 10/1600; at 64 (a flush every 2 ms,
    // four commits each) gaps of 3 ms are ordinary: left out. The median is 0.004, and a stall is
    // its gap less the mean gap between commits (1 ms at 1,000/s, 0.8 at 1,250/s, 0.5 at 2,000/s)
    expect(measuredStalls(points, [1, 4, 64])).toEqual({
      per_flush: 0.0045,
      lengths_ms: [3, 5, 4.2, 7.09, 6.5],
      at: [1, 4],
    });
    expect(measuredStalls(points, [1])).toMatchObject({ per_flush: 0.004, at: [1] });
    // what counts is how often commits come, not how long a transaction takes: through a pool,
    // 8 clients wait 3.6 ms but flush every 0.7 ms
    const pooled = combineRepeats(8, [
      { ...repeat(2200, 3.6, 3.3, 11), stalls: stalls(14, [6]), wal: wal(1.5) },
    ]);
    expect(measuredStalls([pooled], [8])).toEqual({
      per_flush: 0.009545,
      lengths_ms: [5.55],
      at: [8],
    });
    // where a transaction waits 3 ms or more for a core, the clients queueing for the CPU make
    // such gaps too (the sixteenth run: 64 clients straight to PostgreSQL, 3.7 ms in the run queue)
    const sched = (runq_ms: number) => ({
      postgres: { cpu_ms: 0.4, runq_ms: runq_ms - 0.2, slices: 9 },
      pgbouncer: { cpu_ms: 0, runq_ms: 0, slices: 0 },
      pgbench: { cpu_ms: 0.1, runq_ms: 0.2, slices: 1 },
    });
    const queued = combineRepeats(64, [
      {
        ...repeat(3800, 15.6, 15, 36),
        stalls: stalls(36, [4]),
        wal: wal(3.6),
        sched_per_tx: sched(3.7),
      },
    ]);
    expect(measuredStalls([queued], [64])).toBeUndefined();
    const light = combineRepeats(64, [
      {
        ...repeat(3800, 15.6, 15, 36),
        stalls: stalls(36, [4]),
        wal: wal(3.6),
        sched_per_tx: sched(1.2),
      },
    ]);
    expect(measuredStalls([light], [64])).toMatchObject({ at: [64] });
    // a run that recorded no stalls (or no WAL figures), or no light point: none
    expect(
      measuredStalls([combineRepeats(1, [repeat(1000, 0.8, 0.75, 1.2)])], [1]),
    ).toBeUndefined();
    expect(measuredStalls(points, [64])).toBeUndefined();
    expect(parseOptions(['--from', 'x'])).toMatchObject({ stalls: true });
    expect(parseOptions(['--from', 'x', '--stalls', 'none'])).toMatchObject({ stalls: false });
    expect(() => parseOptions(['--stalls', 'off'])).toThrow('--stalls: model or none (got "off")');
  });

  it("summarises the times and makes them the model's db.commit_flush", () => {
    const times = [...Array.from({ length: 99 }, () => 0.2), 2.2];
    expect(flushFigures(times)).toEqual({ mean_ms: 0.22, p50_ms: 0.2, p99_ms: 0.2 });
    expect(flushFigures([...times, 3, 3])).toMatchObject({ p99_ms: 3 });
    expect(flushDist({ mean_ms: 0.2, p99_ms: 0.9 })).toEqual({
      dist: 'lognormal',
      mean_ms: 0.2,
      p99_ms: 0.9,
    });
    // no lognormal of mean 0.2 reaches a P99 of 5: held at the largest one can
    expect(flushDist({ mean_ms: 0.2, p99_ms: 5 })).toEqual({
      dist: 'lognormal',
      mean_ms: 0.2,
      p99_ms: 2.993,
    });
    expect(flushDist({ mean_ms: 0.2 })).toEqual({ dist: 'exp', mean_ms: 0.2 });
  });

  it("takes a series' flush as the median of its repeats', or from --commit-flush", () => {
    const flush = (mean_ms: number, p99_ms: number) => ({ mean_ms, p50_ms: mean_ms, p99_ms });
    const points = [
      combineRepeats(1, [
        { ...repeat(1200, 0.8, 0.75, 1.2), flush_ms: flush(0.2, 0.8) },
        { ...repeat(1210, 0.8, 0.75, 1.2), flush_ms: flush(0.3, 1.1) },
      ]),
      combineRepeats(2, [{ ...repeat(2000, 1, 0.9, 2), flush_ms: flush(0.25, 0.9) }]),
    ];
    expect(measuredFlush(points)).toEqual({ mean_ms: 0.25, p99_ms: 0.9 });
    expect(measuredFlush([combineRepeats(1, [repeat(1200, 0.8, 0.75, 1.2)])])).toBeUndefined();
    expect(commitFlushOption('0.2,0.9')).toEqual({ mean_ms: 0.2, p99_ms: 0.9 });
    expect(parseOptions(['--from', 'x', '--commit-flush', '0.17'])).toMatchObject({
      commitFlush: { mean_ms: 0.17 },
    });
    for (const bad of ['fast', '0', '0.2,0.1', '0.2,0.9,3'])
      expect(() => commitFlushOption(bad)).toThrow(
        `--commit-flush: a flush's mean in ms (> 0), optionally ",P99" above it, e.g. 0.2,0.9 (got ${bad})`,
      );
  });
});

describe("a series' parts model", () => {
  it("takes the disk's flush as timed, and keeps the CPU part the base gives", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-base-'));
    try {
      const o = {
        ...(parseOptions(['--out', dir]) as Exclude<ReturnType<typeof parseOptions>, 'help'>),
      };
      const read = (f: string) =>
        JSON.parse(readFileSync(f, 'utf8')) as { db: Record<string, unknown>; notes: string };
      const flush = { mean_ms: 0.22, p99_ms: 0.4 };
      const b = read(seriesBase(o, 'uniform-direct', { items: 100000, zipfS: 0, flush }));
      const shipped = read(o.base).db.commit_flush as { cpu?: unknown } | undefined;
      const disk = { dist: 'lognormal', mean_ms: 0.22, p99_ms: 0.4 };
      expect(b.db.commit_flush).toEqual(shipped?.cpu ? { ...shipped, wait: disk } : disk);
      expect(b.notes).toContain('db.commit_flush: 0.22 ms mean, P99 0.4 ms, as timed on the disk');
      // with stalls measured at 1 and 8 clients: db.commit_stalls, and the notes say so
      const stalled = read(
        seriesBase(o, 'uniform-direct', {
          items: 100000,
          zipfS: 0,
          flush,
          stalls: { per_flush: 0.005, lengths_ms: [4, 6, 8], at: [1, 8] },
        }),
      );
      expect(stalled.db.commit_flush).toEqual(b.db.commit_flush);
      expect(stalled.db.commit_stalls).toEqual({
        per_flush: 0.005,
        length: { dist: 'empirical', samples_ms: [4, 6, 8] },
      });
      expect(stalled.notes).toContain(
        '0.50 % of flushes stall (db.commit_stalls), as long as the 3 gaps of 3 ms or more without a commit measured at 1 and 8 clients (mean 6.0 ms, less an ordinary gap)',
      );
      expect(b.db.commit_stalls).toBeUndefined();
      // no figures and no --commit-flush: the base's own flush, if any, is left as it is
      const none = read(seriesBase(o, 'zipf-direct', { items: 100000, zipfS: 1.1 }));
      expect(none.db.commit_flush).toEqual(shipped);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('waking an idle core', () => {
  it('is timed by a ping-pong on one core and on two, and leaves nothing behind', async () => {
    if (!wakeProbeAvailable()) return; // one CPU, or no taskset: the suite says it did not time it
    const before = readdirSync(os.tmpdir()).filter((f) => f.startsWith('peakline-wake-'));
    const w = await probeWake({ rounds: 1, seconds: 0.3 });
    // a round trip spins 0.1 + 0.4 ms at least, wherever it runs
    expect(w.same_rt_ms).toBeGreaterThanOrEqual(0.5);
    expect(w.cross_rt_ms).toBeGreaterThanOrEqual(0.5);
    expect(w.hop_ms).toBeCloseTo(Math.max(0, (w.cross_rt_ms - w.same_rt_ms) / 2), 5);
    expect(w).toMatchObject({ spin_ms: [0.1, 0.4], rounds: 1 });
    expect(readdirSync(os.tmpdir()).filter((f) => f.startsWith('peakline-wake-'))).toEqual(before);
  }, 30_000);

  it("is charged per stint of the model: the probe's hop × the slices a transaction ÷ the stints", () => {
    const base = JSON.parse(
      readFileSync(new URL('../../profiles/pg-order-zipf.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
    // 3 queries, the load generator and the commit flush's CPU; through pgbouncer each of the 5
    // statements (BEGIN, 3 queries, COMMIT) also crosses the pooler
    expect(stintsOf(base, false)).toBe(5);
    expect(stintsOf(base, true)).toBe(10);
    const sched = (slices: number) => ({
      postgres: { cpu_ms: 0.45, runq_ms: 0, slices: slices - 5 },
      pgbouncer: { cpu_ms: 0, runq_ms: 0, slices: 0 },
      pgbench: { cpu_ms: 0.1, runq_ms: 0, slices: 5 },
    });
    const lowest = combineRepeats(1, [
      { ...repeat(1300, 0.75, 0.7, 1.3), sched_per_tx: sched(12) },
      { ...repeat(1320, 0.75, 0.7, 1.3), sched_per_tx: sched(12.4) },
      { ...repeat(1340, 0.75, 0.7, 1.3), sched_per_tx: sched(13) },
    ]);
    expect(measuredWake({ hop_ms: 0.025 }, lowest)).toEqual({ hop_ms: 0.025, slices: 12.4, at: 1 });
    expect(measuredWake(undefined, lowest)).toBeUndefined();
    expect(measuredWake({ hop_ms: 0 }, lowest)).toBeUndefined();
    expect(
      measuredWake({ hop_ms: 0.025 }, combineRepeats(1, [repeat(1300, 0.75, 0.7, 1.3)])),
    ).toBeUndefined();
  });

  it("goes on the DB's host as host.wake, and the notes say where it came from", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-base-'));
    try {
      const o = parseOptions(['--out', dir]) as Exclude<ReturnType<typeof parseOptions>, 'help'>;
      const read = (f: string) =>
        JSON.parse(readFileSync(f, 'utf8')) as {
          hosts: Record<string, Record<string, unknown>>;
          notes: string;
        };
      const wake = { hop_ms: 0.025, slices: 12.4, at: 1 };
      const b = read(seriesBase(o, 'uniform-direct', { items: 100000, zipfS: 0, wake }));
      // 0.025 × 12.4 / 5 stints
      expect(b.hosts.db.wake).toEqual({ ms: 0.062, after_idle_ms: 0 });
      expect(b.notes).toContain(
        "first waits 0.062 ms for that core to wake (host.wake: the wake probe's 0.025 ms a hop × 12.4 scheduler slices a transaction at 1 clients ÷ 5 stints a transaction in the model)",
      );
      const pooled = read(
        seriesBase(o, 'uniform-pooled', {
          items: 100000,
          zipfS: 0,
          pool: 8,
          poolerCpu: 0.18,
          wake: { ...wake, slices: 25 },
        }),
      );
      expect(pooled.hosts.db.wake).toEqual({ ms: 0.0625, after_idle_ms: 0 });
      expect(
        read(seriesBase(o, 'uniform-direct', { items: 100000, zipfS: 0 })).hosts.db.wake,
      ).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--wake none leaves it out; anything else is an error naming the flag', () => {
    expect(parseOptions(['--from', 'x'])).toMatchObject({ wake: true });
    expect(parseOptions(['--from', 'x', '--wake', 'none'])).toMatchObject({ wake: false });
    expect(() => parseOptions(['--wake', 'off'])).toThrow('--wake: model or none (got "off")');
  });
});

describe("the lowest load's extra CPU as cold starts (--cold, calibrate --fit-cold)", () => {
  it('asks calibrate for them by default; --cold none leaves them out; anything else names the flag', () => {
    expect(parseOptions(['--from', 'x'])).toMatchObject({ cold: true });
    expect(parseOptions(['--from', 'x', '--cold', 'none'])).toMatchObject({ cold: false });
    expect(() => parseOptions(['--cold', 'warm'])).toThrow('--cold: model or none (got "warm")');
  });

  it('passes --fit-cold with the base, after the speedup', () => {
    expect(
      calibrateCommand('ud.csv', 'ud.json', undefined, undefined, 'ud.base.json', true, true),
    ).toEqual([
      'peakline',
      'calibrate',
      '--points',
      'ud.csv',
      '--base',
      'ud.base.json',
      '--fit-demand',
      '--fit-speedup',
      '--fit-cold',
      '--out',
      'ud.json',
      '--json',
    ]);
    // without a base there is no host to fit them on
    expect(
      calibrateCommand('ud.csv', 'ud.json', undefined, 8, undefined, false, true),
    ).not.toContain('--fit-cold');
  });

  it('reads the cold starts from calibrate --json and says them in the fit line', () => {
    const fit = readFit(
      JSON.stringify({
        fit: {
          method: 'simulation',
          sigma: 0,
          kappa: 0.0001,
          cores: 2,
          r2: 0.99,
          demand_scale: 1.09,
          cpu_scale: 1.34,
          cpu_ms: 0.795,
          cold_start_ms: 0.0738,
          core_speedup: 1.8,
        },
      }),
    );
    expect(fit?.cold_start_ms).toBe(0.0738);
    expect(fitLine(fit!)).toBe(
      "USL fit by simulation at the calibration points: CPU 1.34× the base's (the least measured), 0.0738 ms more a stint that starts on the idle host (cold starts: 0.795 ms a transaction at the lowest load, as measured), waits 1.09×, σ 0, κ 0.000100, core speedup 1.80 (2 cores together do that many times one's work), R² 0.990 (throughput)",
    );
  });
});

describe('the order transaction', () => {
  it('is one pgbench script per distribution; Zipf uses random_zipfian', () => {
    expect(orderScript('uniform', 100000, 1.1)).toBe(
      '\\set item random(1, 100000)\n\\set user random(1, 1000000)\nBEGIN;\n' +
        'SELECT stock, price FROM items WHERE id = :item;\n' +
        'UPDATE items SET stock = stock - 1 WHERE id = :item;\n' +
        'INSERT INTO orders (item_id, user_id, qty) VALUES (:item, :user, 1);\nCOMMIT;\n',
    );
    expect(orderScript('zipf', 100000, 1.1).split('\n')[0]).toBe(
      '\\set item random_zipfian(1, 100000, 1.1)',
    );
  });

  it('runs pgbench as a closed loop with at most 2 threads and a per-transaction log', () => {
    const args = pgbenchArgs(
      { mode: 'pooled', script: '/t/o.sql', clients: 64, seconds: 10 },
      6432,
      '/t/logs/run3',
    );
    expect(args.join(' ')).toBe(
      '-h 127.0.0.1 -p 6432 -U postgres -n -f /t/o.sql -c 64 -j 2 -T 10 --log --log-prefix=/t/logs/run3 peakline',
    );
    expect(
      pgbenchArgs({ mode: 'direct', script: 's', clients: 1, seconds: 2 }, 5, undefined),
    ).toContain('-j');
    expect(
      pgbenchArgs({ mode: 'direct', script: 's', clients: 1, seconds: 2 }, 5, undefined).join(' '),
    ).toContain('-c 1 -j 1 -T 2 peakline');
  });
});

describe('CPU of other processes', () => {
  it('reads /proc/stat and attributes what is not ours to others, in cores', () => {
    const a = parseProcStat(
      'cpu  64889 0 14547 83289 932 0 2628 46 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n',
    );
    expect(a).toEqual({ total: 166331, busy: 82064, steal: 46 });
    // 2 CPUs, 1 s = 200 ticks: 150 busy, of which 90 ours → others used 60 ticks = 0.6 cores
    const r = othersBetween(
      { total: 1000, busy: 500, steal: 0, ours: 100 },
      { total: 1200, busy: 650, steal: 2, ours: 190 },
      2,
    );
    expect(r!.others_cores).toBeCloseTo(0.6);
    expect(r!.steal_pct).toBeCloseTo(1);
    expect(othersBetween(undefined, undefined, 2)).toBeUndefined();
  });

  it('divides what each part used by the transactions: ms of CPU per transaction', () => {
    // 10 s at 3,000 tx/s; ticks are 1/100 s: postgres 900 ticks = 9 s → 0.3 ms a transaction
    const r = cpuPerTransaction(
      { postgres: 100, pgbouncer: 50, pgbench: 20 },
      { postgres: 1000, pgbouncer: 320, pgbench: 200 },
      30_000,
    );
    expect(r).toEqual({ postgres: 0.3, pgbouncer: 0.09, pgbench: 0.06 });
    expect(cpuPerTransaction(undefined, r, 30_000)).toBeUndefined();
    expect(cpuPerTransaction(r, r, 0)).toBeUndefined();
  });

  it('counts CPU a child spent in the load generator once it has been reaped', () => {
    if (process.platform !== 'linux') return;
    const before = samplePartTicks(undefined, undefined)!;
    // a child that burns ~0.3 s of CPU, waited for (reaped) before the second sample
    spawnSync(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 300);']);
    const after = samplePartTicks(undefined, undefined)!;
    expect(after.pgbench - before.pgbench).toBeGreaterThanOrEqual(15);
    expect(after.postgres).toBe(0);
    expect(after.pgbouncer).toBe(0);
  });
});

describe("the scheduler's figures", () => {
  const sample = (
    postgres: [number, [number, number, number]][],
    pgbench: [number, [number, number, number]][] = [],
  ): SchedSample => ({
    postgres: new Map(postgres),
    pgbouncer: new Map(),
    pgbench: new Map(pgbench),
  });

  it('divides what the threads alive at both samples did by the transactions', () => {
    // 1,000 transactions: backend 11 ran 300 ms and waited 50 ms for a core over 2,000 slices;
    // backend 12 began after the first sample and 13 ended before the second: both left out
    const a = sample(
      [
        [11, [1e9, 2e8, 5000]],
        [13, [5e8, 1e8, 100]],
      ],
      [[21, [0, 0, 0]]],
    );
    const b = sample(
      [
        [11, [1.3e9, 2.5e8, 7000]],
        [12, [9e9, 9e9, 9e3]],
      ],
      [[21, [1e8, 1e7, 1500]]],
    );
    expect(schedPerTransaction(a, b, 1000)).toEqual({
      postgres: { cpu_ms: 0.3, runq_ms: 0.05, slices: 2 },
      pgbouncer: { cpu_ms: 0, runq_ms: 0, slices: 0 },
      pgbench: { cpu_ms: 0.1, runq_ms: 0.01, slices: 1.5 },
    });
    expect(schedPerTransaction(undefined, b, 1000)).toBeUndefined();
    expect(schedPerTransaction(a, b, 0)).toBeUndefined();
  });

  it('reads how busy each CPU was: a packing scheduler shows as one CPU far busier than the other', () => {
    const stat = (c0: [number, number], c1: [number, number]) =>
      `cpu  1 1 1 1 1 1 1 1 0 0\ncpu0 ${c0[0]} 0 0 ${c0[1]} 0 0 0 0 0 0\ncpu1 ${c1[0]} 0 0 ${c1[1]} 0 0 0 0 0 0\nintr 5\n`;
    const a = parsePerCpu(stat([100, 900], [50, 950]));
    expect(a).toEqual([
      { busy: 100, total: 1000 },
      { busy: 50, total: 1000 },
    ]);
    // over 200 ticks each: cpu0 180 busy, cpu1 40
    expect(perCpuBusy(a, parsePerCpu(stat([280, 920], [90, 1110])))).toEqual([0.9, 0.2]);
    expect(perCpuBusy(a, [])).toBeUndefined();
    expect(perCpuBusy(a, a)).toBeUndefined();
  });

  it("reads every thread of the load generator's tree from /proc: a busy child's CPU grows", async () => {
    if (process.platform !== 'linux') return;
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const a = sampleSched(undefined, undefined)!;
      await new Promise((r) => setTimeout(r, 300));
      const b = sampleSched(undefined, undefined)!;
      expect(a.pgbench.has(child.pid!)).toBe(true);
      expect(a.postgres.size).toBe(0);
      // the child's main thread ran most of the 300 ms; this process's own threads are not counted
      const ran = (b.pgbench.get(child.pid!)![0] - a.pgbench.get(child.pid!)![0]) / 1e6;
      expect(ran).toBeGreaterThan(50);
      expect(a.pgbench.has(process.pid)).toBe(false);
    } finally {
      child.kill();
    }
  });

  it('prints the CPU, the run queue and the slices beside the model’s', () => {
    const sched = (cpu_ms: number, runq_ms: number, slices: number) => ({
      postgres: { cpu_ms, runq_ms, slices },
      pgbouncer: { cpu_ms: 0.1, runq_ms: 0.02, slices: 4 },
      pgbench: { cpu_ms: 0.05, runq_ms: 0.01, slices: 2 },
    });
    const s: SeriesReport = {
      name: 'uniform-pooled',
      calibrateAt: [1],
      measured: [
        combineRepeats(1, [
          { ...repeat(1200, 0.8, 0.75, 1.2), sched_per_tx: sched(0.3, 0.01, 5) },
          { ...repeat(1210, 0.8, 0.75, 1.2), sched_per_tx: sched(0.4, 0.03, 6) },
          { ...repeat(1190, 0.8, 0.75, 1.2), sched_per_tx: sched(0.35, 0.02, 5) },
        ]),
        combineRepeats(4, [repeat(3000, 1.3, 1.2, 2.2)]),
      ],
      predicted: [
        {
          concurrency: 1,
          throughput_rps: 1200,
          mean_ms: 0.8,
          p99_ms: 1.2,
          cpu_ms: 0.45,
          runq_ms: 0.004,
          seeds: 1,
        },
      ],
    };
    expect(schedLine(s)).toBe(
      'Scheduler ms per transaction by clients (schedstat of every thread, median of the repeats): ' +
        '1: CPU 0.500 (0.60 cores busy), run queue 0.050, 11.0 slices (model 0.450, 0.004)',
    );
    // with each CPU's busy share: the medians, busiest CPU first
    const busy = (cpu_busy: number[]) => ({
      ...repeat(1200, 0.8, 0.75, 1.2),
      sched_per_tx: sched(0.35, 0.02, 5),
      cpu_busy,
    });
    expect(
      schedLine({
        ...s,
        predicted: undefined,
        measured: [combineRepeats(1, [busy([0.2, 0.9]), busy([0.8, 0.3]), busy([0.85, 0.1])])],
      }),
    ).toContain('1: CPU 0.500 (0.60 cores busy; by CPU 85 % + 20 %), run queue');
    expect(formatMarkdown('t', [], [s])).toContain('Scheduler ms per transaction');
    expect(schedLine({ ...s, measured: [combineRepeats(4, [repeat(3000, 1.3, 1.2, 2.2)])] })).toBe(
      undefined,
    );
    // the model's CPU beside the measured in the CPU line
    const cpu = { postgres: 0.3, pgbouncer: 0.1, pgbench: 0.05 };
    expect(
      cpuLine({
        ...s,
        measured: [combineRepeats(1, [{ ...repeat(1200, 0.8, 0.75, 1.2), cpu_ms_per_tx: cpu }])],
      }),
    ).toBe(
      'CPU ms per transaction by clients (median of the repeats): ' +
        '1: postgres 0.300, pgbouncer 0.100, pgbench 0.050 (model 0.450 in all)',
    );
  });

  it('says when work waited for a core while cores stood idle, which processor sharing cannot do', () => {
    const sched = (runq_ms: number) => ({
      postgres: { cpu_ms: 0.4, runq_ms, slices: 9 },
      pgbouncer: { cpu_ms: 0, runq_ms: 0, slices: 0 },
      pgbench: { cpu_ms: 0.1, runq_ms: 0, slices: 5 },
    });
    const at = (clients: number, x: number, runq: number) =>
      combineRepeats(clients, [{ ...repeat(x, clients / x, 1, 2), sched_per_tx: sched(runq) }]);
    // 2 clients: 1,800 tx/s × 0.5 ms = 0.9 of 2 cores busy, yet 0.4 ms a transaction queued;
    // 8 clients: 3,900 × 0.5 = 1.95 cores busy — queueing there is the cores being full
    const s: SeriesReport = {
      name: 'uniform-direct',
      calibrateAt: [1, 8],
      cpus: 2,
      measured: [at(1, 2000, 0.01), at(2, 1800, 0.4), at(8, 3900, 1.5)],
      predicted: [1, 2, 8].map((c) => ({
        concurrency: c,
        throughput_rps: 2000,
        mean_ms: 1,
        p99_ms: 2,
        cpu_ms: 0.5,
        runq_ms: c === 2 ? 0.02 : 0.5,
        seeds: 1,
      })),
    };
    expect(idleCoresNote(s)).toBe(
      'work waited for a core while cores stood idle: at 2 clients 0.400 ms a transaction in the ' +
        "run queue with 0.90 of 2 cores busy (the model's 0.020 ms) — processor sharing never " +
        'leaves a core idle while work waits, so light loads are where a model of cores misses most',
    );
    expect(summaryLine(s)).toContain('work waited for a core while cores stood idle: at 2 clients');
    // a model that queues as much, a short queue, or unknown CPUs: nothing to say
    expect(
      idleCoresNote({ ...s, predicted: s.predicted!.map((p) => ({ ...p, runq_ms: 0.3 })) }),
    ).toBeUndefined();
    expect(idleCoresNote({ ...s, measured: [at(2, 1800, 0.05)] })).toBeUndefined();
    expect(idleCoresNote({ ...s, cpus: undefined })).toBeUndefined();
  });

  it("takes the model's CPU and run queue per transaction from its host stations (Little's law)", () => {
    const r = {
      throughput_rps: 4000,
      latency_ms: { mean: 1, p99: 2 },
      stations: {
        'host:db': { kind: 'host', servers: 2, utilization: 0.9, mean_queue: 0.8 },
        flush: { kind: 'service', servers: 1, utilization: 0.5, mean_queue: 0.3 },
      },
    };
    // 1.8 busy cores / 4,000 tx/s = 0.45 ms; 0.8 waiting / 4,000 = 0.2 ms
    expect(modelSched(r)).toEqual({ cpu_ms: 0.45, runq_ms: 0.2 });
    expect(modelSched({ ...r, stations: { flush: r.stations.flush } })).toBeUndefined();
  });
});

describe('the machine a run was measured on', () => {
  it("records the kernel scheduler's settings, each file under /proc/sys/kernel named sched_*", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-sched-'));
    try {
      writeFileSync(path.join(dir, 'sched_vcpu_pack'), '15\n');
      writeFileSync(path.join(dir, 'sched_autogroup_enabled'), '0\n');
      writeFileSync(path.join(dir, 'hostname'), 'x\n');
      expect(schedSettings(dir)).toEqual({ sched_autogroup_enabled: '0', sched_vcpu_pack: '15' });
    } finally {
      rmSync(dir, { recursive: true });
    }
    expect(schedSettings(path.join(os.tmpdir(), 'no-such-peakline-dir'))).toEqual({});
  });
});

describe('the command line', () => {
  it('--quick is a short smoke run: its three points are the calibration points', () => {
    expect(parseOptions(['--quick'])).toMatchObject({
      clients: [1, 4, 16],
      dists: ['uniform'],
      modes: ['direct'],
      repeats: 1,
      seconds: 3,
      calibrateAt: [1, 4, 16],
      quietWait: 0,
      retries: 0,
    });
    expect(parseOptions([])).toMatchObject({
      clients: [1, 2, 4, 8, 16, 32, 64],
      dists: ['uniform', 'zipf'],
      modes: ['direct', 'pooled'],
      repeats: 3,
      seconds: 10,
      poolSize: 8,
      calibrateAt: [1, 8, 64],
      seeds: [1, 2, 3],
      pgSettings: { max_connections: '300', shared_buffers: '128MB' },
      out: 'fidelity-out',
      cores: undefined,
      model: 'parts',
      // the host's core speedup is fitted with σ and κ unless asked not to
      fitSpeedup: true,
    });
    expect(parseOptions(['--core-speedup', 'none'])).toMatchObject({ fitSpeedup: false });
    expect(parseOptions(['--model', 'station'])).toMatchObject({ fitSpeedup: false });
    // the parts model is the shipped profile of the order transaction
    expect((parseOptions([]) as { base: string }).base).toMatch(/profiles\/pg-order-zipf\.json$/);
    expect(parseOptions(['--model', 'station'])).toMatchObject({ model: 'station' });
    expect(parseOptions(['--from', 'old'])).toMatchObject({ from: 'old', out: 'old' });
  });

  it('names the option and the value that is wrong', () => {
    expect(() => parseOptions(['--clients', '1,0'])).toThrow(
      '--clients: "0" is not a whole number >= 1',
    );
    expect(() => parseOptions(['--calibrate-at', '1,2,4,8'])).toThrow(
      '--calibrate-at: at most 3 points',
    );
    expect(() => parseOptions(['--clients', '1,2', '--calibrate-at', '1,4'])).toThrow(
      '--calibrate-at: 4 not among the measured --clients 1,2',
    );
    expect(() => parseOptions(['--dist', 'pareto'])).toThrow(
      '--dist: "pareto" is not one of uniform, zipf (or all)',
    );
    expect(() => parseOptions(['--zipf-s', '0.9'])).toThrow(
      "--zipf-s: PostgreSQL 15's random_zipfian takes 1.001..1000",
    );
    expect(() => parseOptions(['--pg-set', 'fsync'])).toThrow(
      '--pg-set: expected name=value (got "fsync")',
    );
    expect(() => parseOptions(['--model', 'both'])).toThrow(
      '--model: "both" is not one of parts, station',
    );
    expect(() => parseOptions(['--model', 'station', '--base', 'x.json'])).toThrow(
      '--base: only with --model parts (the station model has no base)',
    );
    expect(() => parseOptions(['--core-speedup', '1.3'])).toThrow(
      '--core-speedup: fit or none (got "1.3")',
    );
    expect(() => parseOptions(['--model', 'station', '--core-speedup', 'fit'])).toThrow(
      '--core-speedup: only with --model parts (the station model has no host)',
    );
    expect(parseOptions(['--pg-set', 'synchronous_commit=off'])).toMatchObject({
      pgSettings: { max_connections: '300', shared_buffers: '128MB', synchronous_commit: 'off' },
    });
  });
});
