// The Prometheus text parser on real exposition text — prom-client's output (the library the
// demo publishes with) and a node_exporter-style page — plus the arithmetic on top: quantiles
// from buckets as PromQL's histogram_quantile computes them, and counter rates across resets.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  counterIncrease,
  counterSeries,
  findFamily,
  gaugeValue,
  histogramDelta,
  histogramQuantile,
  histogramState,
  parsePrometheus,
  PromParseError,
} from './prom';

const nodeExporter = readFileSync(
  path.join(import.meta.dirname, 'fixtures/node_exporter.prom'),
  'utf8',
);

describe('parsing prom-client output', () => {
  it('reads counters, gauges, histograms and default process metrics as typed families', async () => {
    const reg = new Registry();
    collectDefaultMetrics({ register: reg });
    const c = new Counter({
      name: 'orders_total',
      help: 'Orders',
      labelNames: ['status'],
      registers: [reg],
    });
    const h = new Histogram({
      name: 'order_seconds',
      help: 'Latency',
      buckets: [0.01, 0.1, 1],
      registers: [reg],
    });
    const g = new Gauge({ name: 'in_flight', help: 'In flight\nwith "newline"', registers: [reg] });
    c.inc({ status: 'ok' }, 7);
    c.inc({ status: 'error' }, 2);
    for (const v of [0.005, 0.05, 0.05, 0.5]) h.observe(v);
    g.set(3);

    const families = parsePrometheus(await reg.metrics());
    expect(families.length).toBeGreaterThan(10);
    const orders = findFamily(families, 'orders_total')!;
    expect(orders.type).toBe('counter');
    expect([...counterSeries(orders).values()].sort()).toEqual([2, 7]);
    expect(findFamily(families, 'in_flight')!.help).toBe('In flight\nwith "newline"');
    expect(gaugeValue(findFamily(families, 'in_flight')!)).toBe(3);
    const hist = findFamily(families, 'order_seconds')!;
    expect(hist.type).toBe('histogram');
    const st = histogramState(hist).series.get('')!;
    expect(st.bounds).toEqual([0.01, 0.1, 1, Infinity]);
    expect(st.counts).toEqual([1, 3, 4, 4]);
    expect(st.count).toBe(4);
    expect(st.sum).toBeCloseTo(0.605, 10);
    // Every default metric parses with a known type.
    const heap = findFamily(families, 'nodejs_heap_size_total_bytes')!;
    expect(heap.type).toBe('gauge');
    expect(gaugeValue(heap)).toBeGreaterThan(0);
  });
});

describe('parsing a node_exporter page', () => {
  const families = parsePrometheus(nodeExporter);

  it('keeps every family with its type, labels and values', () => {
    expect(families.map((f) => f.name)).toContain('node_cpu_seconds_total');
    const cpu = findFamily(families, 'node_cpu_seconds_total')!;
    expect(cpu.type).toBe('counter');
    expect(cpu.samples[0]).toEqual({
      name: 'node_cpu_seconds_total',
      labels: { cpu: '0', mode: 'idle' },
      value: 2837953.2,
      timestamp: null,
    });
    const gc = findFamily(families, 'go_gc_duration_seconds')!;
    expect(gc.type).toBe('summary');
    expect(gc.samples.filter((s) => s.labels.quantile)).toHaveLength(5);
    expect(gc.samples.find((s) => s.name === 'go_gc_duration_seconds_count')?.value).toBe(1831);
    expect(gaugeValue(findFamily(families, 'node_load1')!)).toBe(0.41);
    const uname = findFamily(families, 'node_uname_info')!.samples[0];
    expect(uname.labels.version).toBe('#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)');
  });

  it('unescapes label values and reads NaN and timestamps', () => {
    const w = findFamily(families, 'weird_escapes')!.samples[0];
    expect(w.labels).toEqual({ path: 'C:\\temp', quote: 'say "hi"', nl: 'a\nb' });
    expect(w.value).toBeNaN();
    expect(w.timestamp).toBe(1700000000000);
  });

  it('computes quantiles like histogram_quantile: linear within the bucket holding the rank', () => {
    const h = histogramState(findFamily(families, 'prometheus_http_request_duration_seconds')!);
    const s = h.series.get('handler="/metrics"')!;
    expect(histogramQuantile(0.5, s.bounds, s.counts)).toBeCloseTo((0.1 * 50) / 98, 12);
    expect(histogramQuantile(0.99, s.bounds, s.counts)).toBeCloseTo(0.2, 12);
    expect(histogramQuantile(0.995, s.bounds, s.counts)).toBeCloseTo(0.3, 12);
  });
});

describe('rates and deltas', () => {
  it('answers the highest finite bound when the rank falls in +Inf, and null without observations', () => {
    expect(histogramQuantile(0.99, [0.1, 1, Infinity], [10, 10, 100])).toBe(1);
    expect(histogramQuantile(0.5, [0.1, 1, Infinity], [0, 0, 0])).toBeNull();
  });

  it('counts a counter that went down as reset: the increase is its new value', () => {
    const prev = new Map([
      ['a', 100],
      ['b', 40],
    ]);
    const cur = new Map([
      ['a', 130],
      ['b', 5],
      ['new', 9],
    ]);
    expect(counterIncrease(prev, cur)).toBe(30 + 5);
  });

  it('takes histogram deltas per series and survives a reset', () => {
    const body = (a: number[], sum: number) =>
      `# TYPE lat_seconds histogram\n` +
      `lat_seconds_bucket{le="0.1"} ${a[0]}\nlat_seconds_bucket{le="1"} ${a[1]}\nlat_seconds_bucket{le="+Inf"} ${a[2]}\n` +
      `lat_seconds_sum ${sum}\nlat_seconds_count ${a[2]}\n`;
    const at = (a: number[], sum: number) => histogramState(parsePrometheus(body(a, sum))[0]);
    const d = histogramDelta(at([10, 20, 20], 5), at([30, 60, 61], 25));
    expect(d).toEqual({ bounds: [0.1, 1, Infinity], counts: [20, 40, 41], sum: 20, count: 41 });
    const afterRestart = histogramDelta(at([30, 60, 61], 25), at([2, 3, 3], 0.5));
    expect(afterRestart).toEqual({
      bounds: [0.1, 1, Infinity],
      counts: [2, 3, 3],
      sum: 0.5,
      count: 3,
    });
  });
});

describe('strictness', () => {
  const bad: [string, string, RegExp][] = [
    ['an HTML page', '<html><body>Not Found</body></html>\n', /line 1: expected a metric name/],
    ['an unterminated label value', 'up{job="a} 1\n', /line 1: unterminated value of label job/],
    ['a value that is not a number', '# TYPE up gauge\nup one\n', /line 2: bad value "one"/],
    ['too many fields', 'up 1 2 3\n', /line 1: expected "value \[timestamp\]"/],
    ['an unknown type', '# TYPE up nonsense\n', /line 1: unknown metric type "nonsense"/],
    ['an unquoted label value', 'up{job=a} 1\n', /line 1: expected '"'/],
    [
      'a bucket without le',
      '# TYPE h histogram\nh_bucket{x="1"} 3\n',
      /line 2: histogram bucket h_bucket without an "le" label/,
    ],
    ['a bad escape', 'up{a="\\t"} 1\n', /line 1: bad escape/],
    ['JSON', '{"up": 1}\n', /line 1: expected a metric name/],
  ];
  it.each(bad)('rejects %s naming the line', (_what, text, message) => {
    expect(() => parsePrometheus(text)).toThrow(PromParseError);
    expect(() => parsePrometheus(text)).toThrow(message);
  });

  it('accepts comments, blank lines, a trailing comma in labels and # EOF', () => {
    const f = parsePrometheus('# just a comment\n\nup{job="a",} 1\n# EOF\n');
    expect(f[0].samples[0]).toMatchObject({ labels: { job: 'a' }, value: 1 });
    expect(() => parsePrometheus('up 1\n# EOF\nup 2\n')).toThrow(/line 3: text after # EOF/);
    // Special values are case-insensitive, as Prometheus reads them (prom-client writes "Nan").
    const special = parsePrometheus('a Nan\nb +inf\nc -Inf\n').map((f) => f.samples[0].value);
    expect(special).toEqual([NaN, Infinity, -Infinity]);
  });
});
