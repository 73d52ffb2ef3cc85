// A strict parser for the Prometheus text exposition format (0.0.4, plus the `# EOF` of
// OpenMetrics), and the arithmetic a scraper needs on top of it: counter rates that survive
// resets, histogram bucket deltas and quantiles interpolated linearly within a bucket (as
// PromQL's `histogram_quantile` does). A line that does not parse is an error naming the line.

/** One sample line: `name{labels} value [timestamp]`. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp: number | null;
}

export type PromType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** A metric family: its `# TYPE`, `# HELP` and samples (histogram/summary parts included). */
export interface PromFamily {
  name: string;
  type: PromType;
  help: string;
  samples: PromSample[];
}

/** A parse failure at a 1-based line. */
export class PromParseError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'PromParseError';
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set<PromType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<PromType, string[]> = {
  counter: ['_total', '_created', ''],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  summary: ['_sum', '_count', '_created', ''],
  untyped: [''],
};

/**
 * Parse a float as the exposition format writes it. Like Prometheus (Go's ParseFloat), the
 * special values are case-insensitive: `+Inf`, `-Inf`, `Infinity`, `NaN` — prom-client writes `Nan`.
 */
export function parsePromValue(s: string): number | null {
  const lower = s.toLowerCase();
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity')
    return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (lower === 'nan') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return null;
  return Number(s);
}

function parseLabels(text: string, pos: number, lineNo: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = pos + 1; // after '{'
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === '}') return [labels, i + 1];
    const m = LABEL.exec(text.slice(i));
    if (!m) throw new PromParseError(lineNo, `bad label name at column ${i + 1}`);
    const name = m[0];
    i += name.length;
    while (text[i] === ' ') i++;
    if (text[i] !== '=') throw new PromParseError(lineNo, `expected '=' after label ${name}`);
    i++;
    while (text[i] === ' ') i++;
    if (text[i] !== '"')
      throw new PromParseError(lineNo, `expected '"' to open the value of label ${name}`);
    i++;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new PromParseError(lineNo, `unterminated value of label ${name}`);
      if (c === '"') break;
      if (c === '\\') {
        const n = text[i + 1];
        if (n === 'n') value += '\n';
        else if (n === '\\' || n === '"') value += n;
        else throw new PromParseError(lineNo, `bad escape \\${n ?? ''} in label ${name}`);
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    i++;
    if (name in labels) throw new PromParseError(lineNo, `label ${name} given twice`);
    labels[name] = value;
    while (text[i] === ' ') i++;
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === '}') return [labels, i + 1];
    throw new PromParseError(lineNo, `expected ',' or '}' after label ${name}`);
  }
}

/** Which family a sample name belongs to, given the families declared so far. */
function familyOf(name: string, families: Map<string, PromFamily>): PromFamily | undefined {
  const direct = families.get(name);
  if (direct && SUFFIXES[direct.type].includes('')) return direct;
  for (const suffix of ['_bucket', '_sum', '_count', '_total', '_created']) {
    if (!name.endsWith(suffix)) continue;
    const f = families.get(name.slice(0, -suffix.length));
    if (f && SUFFIXES[f.type].includes(suffix)) return f;
  }
  return direct;
}

/** Parse a whole exposition body into families, in order. Throws PromParseError. */
export function parsePrometheus(text: string): PromFamily[] {
  const families = new Map<string, PromFamily>();
  const lines = text.split('\n');
  let sawEof = false;
  for (let idx = 0; idx < lines.length; idx++) {
    const lineNo = idx + 1;
    const line = lines[idx].replace(/\r$/, '');
    if (sawEof) {
      if (line.trim() !== '') throw new PromParseError(lineNo, 'text after # EOF');
      continue;
    }
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (line.trim() === '# EOF') {
        sawEof = true;
        continue;
      }
      if (!m) continue; // an ordinary comment
      const [, kw, name, rest = ''] = m;
      if (!NAME.test(name) || NAME.exec(name)![0] !== name)
        throw new PromParseError(lineNo, `bad metric name "${name}" in # ${kw}`);
      let f = families.get(name);
      if (!f) {
        f = { name, type: 'untyped', help: '', samples: [] };
        families.set(name, f);
      }
      if (kw === 'TYPE') {
        const t = rest.trim() as PromType;
        if (!TYPES.has(t))
          throw new PromParseError(lineNo, `unknown metric type "${rest.trim()}" for ${name}`);
        if (f.samples.length)
          throw new PromParseError(lineNo, `# TYPE for ${name} after its samples`);
        f.type = t;
      } else {
        f.help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      }
      continue;
    }
    const nm = NAME.exec(line);
    if (!nm) throw new PromParseError(lineNo, `expected a metric name, got "${line.slice(0, 40)}"`);
    const name = nm[0];
    let i = name.length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') [labels, i] = parseLabels(line, i, lineNo);
    if (line[i] !== ' ' && line[i] !== '\t')
      throw new PromParseError(lineNo, `expected a space before the value of ${name}`);
    const parts = line
      .slice(i)
      .trim()
      .split(/[ \t]+/);
    if (parts.length < 1 || parts.length > 2 || parts[0] === '')
      throw new PromParseError(lineNo, `expected "value [timestamp]" after ${name}`);
    const value = parsePromValue(parts[0]);
    if (value === null) throw new PromParseError(lineNo, `bad value "${parts[0]}" for ${name}`);
    let timestamp: number | null = null;
    if (parts.length === 2) {
      if (!/^-?\d+(\.\d+)?$/.test(parts[1]))
        throw new PromParseError(lineNo, `bad timestamp "${parts[1]}" for ${name}`);
      timestamp = Number(parts[1]);
    }
    let f = familyOf(name, families);
    if (!f) {
      f = { name, type: 'untyped', help: '', samples: [] };
      families.set(name, f);
    }
    if (f.type === 'histogram' && name === `${f.name}_bucket` && !('le' in labels))
      throw new PromParseError(lineNo, `histogram bucket ${name} without an "le" label`);
    f.samples.push({ name, labels, value, timestamp });
  }
  return [...families.values()];
}

/** A stable key of a label set (minus the ones named). */
export function labelKey(labels: Record<string, string>, omit: string[] = []): string {
  return Object.keys(labels)
    .filter((k) => !omit.includes(k))
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

/** Find a family by name; a counter may be named with or without `_total`. */
export function findFamily(families: PromFamily[], name: string): PromFamily | undefined {
  return (
    families.find((f) => f.name === name) ??
    families.find((f) => f.name === name.replace(/_total$/, '')) ??
    families.find((f) => f.samples.some((s) => s.name === name))
  );
}

/** Sum of a counter's series, keyed per series so a rate can be reset aware. */
export function counterSeries(f: PromFamily): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of f.samples) {
    if (s.name.endsWith('_created')) continue;
    if (f.type === 'histogram' || f.type === 'summary') {
      if (!s.name.endsWith('_count')) continue;
    }
    out.set(`${s.name}|${labelKey(s.labels)}`, s.value);
  }
  return out;
}

/**
 * Increase of a set of counters between two scrapes: per series, a value lower than before
 * means the counter was reset, so the increase is the new value (as PromQL's `increase`).
 */
export function counterIncrease(prev: Map<string, number>, cur: Map<string, number>): number {
  let total = 0;
  for (const [k, v] of cur) {
    const p = prev.get(k);
    if (p === undefined) continue; // a new series: no baseline yet
    total += v >= p ? v - p : v;
  }
  return total;
}

/** Sum of a gauge's series. */
export function gaugeValue(f: PromFamily): number | null {
  const vals = f.samples
    .filter((s) => s.name === f.name && Number.isFinite(s.value))
    .map((s) => s.value);
  return vals.length ? vals.reduce((a, b) => a + b, 0) : null;
}

/** A histogram aggregated over its other labels: cumulative counts per upper bound. */
export interface HistogramState {
  /** Per series (labels minus `le`) and bound, for reset detection. */
  series: Map<string, { bounds: number[]; counts: number[]; sum: number; count: number }>;
}

/** Read a histogram family into per-series cumulative buckets. */
export function histogramState(f: PromFamily): HistogramState {
  const series: HistogramState['series'] = new Map();
  const get = (labels: Record<string, string>) => {
    const k = labelKey(labels, ['le']);
    let s = series.get(k);
    if (!s) {
      s = { bounds: [], counts: [], sum: 0, count: 0 };
      series.set(k, s);
    }
    return s;
  };
  for (const smp of f.samples) {
    if (smp.name === `${f.name}_bucket`) {
      const le = parsePromValue(smp.labels.le);
      if (le === null || Number.isNaN(le)) continue;
      const s = get(smp.labels);
      s.bounds.push(le);
      s.counts.push(smp.value);
    } else if (smp.name === `${f.name}_sum`) get(smp.labels).sum = smp.value;
    else if (smp.name === `${f.name}_count`) get(smp.labels).count = smp.value;
  }
  for (const s of series.values()) {
    const order = s.bounds.map((_, i) => i).sort((a, b) => s.bounds[a] - s.bounds[b]);
    s.bounds = order.map((i) => s.bounds[i]);
    s.counts = order.map((i) => s.counts[i]);
  }
  return { series };
}

/** Observations between two scrapes, merged over series: bounds, cumulative counts, sum, count. */
export function histogramDelta(
  prev: HistogramState,
  cur: HistogramState,
): { bounds: number[]; counts: number[]; sum: number; count: number } {
  const merged = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const [k, c] of cur.series) {
    const p = prev.series.get(k);
    if (!p) continue;
    const reset =
      c.count < p.count || c.counts.some((v, i) => p.bounds[i] === c.bounds[i] && v < p.counts[i]);
    c.bounds.forEach((b, i) => {
      const before = reset ? 0 : (p.counts[p.bounds.indexOf(b)] ?? 0);
      merged.set(b, (merged.get(b) ?? 0) + (c.counts[i] - before));
    });
    sum += reset ? c.sum : c.sum - p.sum;
    count += reset ? c.count : c.count - p.count;
  }
  const bounds = [...merged.keys()].sort((a, b) => a - b);
  return { bounds, counts: bounds.map((b) => merged.get(b)!), sum, count };
}

/**
 * The q-quantile of cumulative bucket counts, interpolating linearly within the bucket that
 * holds the rank (PromQL `histogram_quantile`): the first bucket's lower edge is 0, and a rank
 * in the +Inf bucket answers the highest finite bound. Null when there are no observations.
 */
export function histogramQuantile(q: number, bounds: number[], counts: number[]): number | null {
  if (!bounds.length) return null;
  const total = counts[counts.length - 1];
  if (!(total > 0)) return null;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i] >= rank && counts[i] > prevCount) {
      if (bounds[i] === Infinity) return i > 0 ? bounds[i - 1] : null;
      if (i === 0 && bounds[0] <= 0) return bounds[0];
      return prevBound + (bounds[i] - prevBound) * ((rank - prevCount) / (counts[i] - prevCount));
    }
    prevBound = bounds[i];
    prevCount = counts[i];
  }
  return bounds[bounds.length - 1] === Infinity
    ? (bounds[bounds.length - 2] ?? null)
    : bounds[bounds.length - 1];
}
