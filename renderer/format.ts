// The console's one number formatter (readouts, tables, axes, the Live view): Intl.NumberFormat
// with fixed en-US digits (the same in both languages), short, with units.

const formats = new Map<string, Intl.NumberFormat>();
/** An Intl.NumberFormat for `options`, made once. */
function format(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = JSON.stringify(options);
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.NumberFormat('en-US', options)));
  return f;
}
const whole = (group: boolean) => format({ maximumFractionDigits: 0, useGrouping: group });
const fixed = (digits: number) =>
  format({ minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false });
const significant = (digits: number) =>
  format({ maximumSignificantDigits: digits, useGrouping: false });
const compact = format({ notation: 'compact', maximumFractionDigits: 1 });

const known = (v: number | null | undefined): v is number =>
  v !== null && v !== undefined && Number.isFinite(v);

/**
 * `1234.5` → `1,235` (`1235` with `group` false); small numbers keep up to `digits` significant
 * decimals.
 */
export function fmtNum(v: number | null | undefined, digits = 3, group = true): string {
  if (!known(v)) return '—';
  const a = Math.abs(v);
  // 999.6 rounds up to a four-digit number: group its digits like any other
  if (Number.isInteger(v) || a >= 999.5) return whole(group).format(v);
  if (a >= 100) return fixed(0).format(v);
  if (a >= 10) return fixed(Math.max(0, digits - 2)).format(v);
  if (a === 0) return '0';
  return significant(digits).format(v);
}

/** A count or rate in a narrow column: `987`, `12.3K`, `4.5M`. */
export function fmtCompact(v: number | null | undefined): string {
  if (!known(v)) return '—';
  return Math.abs(v) >= 10_000 ? compact.format(v) : fmtNum(v);
}

/** Bytes in binary units: `512 B`, `1.5 MB`. */
export function fmtBytes(v: number | null | undefined): string {
  if (!known(v)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let x = v;
  let i = 0;
  while (Math.abs(x) >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${fixed(i ? 1 : 0).format(x)} ${units[i]}`;
}

/** Milliseconds with the unit: `812 ms`, `1.2 s`. */
export function fmtMs(v: number | null | undefined): string {
  if (!known(v)) return '—';
  if (Math.abs(v) >= 10_000) return `${fmtNum(v / 1000)} s`;
  return `${fmtNum(v)} ms`;
}

/** Requests per second with the unit. */
export function fmtRps(v: number | null | undefined): string {
  return `${fmtNum(v)} req/s`;
}

/** A fraction as a percentage: `0.0123` → `1.23 %`. */
export function fmtPct(v: number | null | undefined): string {
  if (!known(v)) return '—';
  const p = v * 100;
  if (p === 0) return '0 %';
  if (Math.abs(p) < 0.01) return `${significant(2).format(p)} %`;
  return `${Math.abs(p) >= 10 ? fixed(1).format(p) : significant(3).format(p)} %`;
}

/** A signed percentage change: `+4.2 %`, `−0.8 %`. */
export function fmtSignedPct(v: number | null | undefined): string {
  if (!known(v)) return '—';
  return `${v >= 0 ? '+' : '−'}${fmtPct(Math.abs(v))}`;
}

// In the user's language (the run-cost question): counts and rough durations in words.

const locale = (lang: 'en' | 'zh') => (lang === 'zh' ? 'zh-CN' : 'en');

/** A count in a few digits: 4.2T / 4.2万亿. */
export function compactCount(n: number, lang: 'en' | 'zh'): string {
  return new Intl.NumberFormat(locale(lang), {
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(n);
}

/** A duration in the largest unit that keeps it readable: 40 seconds, 12 minutes, 21 days. */
export function roughDuration(seconds: number, lang: 'en' | 'zh'): string {
  const units: [Intl.NumberFormatOptions['unit'], number][] = [
    ['second', 1],
    ['minute', 60],
    ['hour', 3600],
    ['day', 86400],
    ['year', 365.25 * 86400],
  ];
  let [unit, size] = units[0];
  for (const [u, k] of units) if (seconds >= 1.5 * k) [unit, size] = [u, k];
  return new Intl.NumberFormat(locale(lang), {
    style: 'unit',
    unit,
    unitDisplay: 'long',
    notation: seconds / size >= 1e4 ? 'compact' : 'standard',
    maximumFractionDigits: seconds / size < 10 ? 1 : 0,
  }).format(Math.max(seconds / size, 1));
}

/** `v` rounded to `digits` significant digits, as a number (axis ticks, a duration in words). */
export function roundSig(v: number, digits: number): number {
  return Number.isFinite(v) && v !== 0 ? Number(v.toPrecision(digits)) : v;
}

/** A figure, where one too small to read at three significant digits is said to be so. */
export function fmtFig(v: number | null | undefined): string {
  return known(v) && v > 0 && v < 1e-3 ? '< 0.001' : fmtNum(v);
}

/** Unix seconds as a UTC time of day: `12:05` (the forecast's axes; the same in both languages). */
export function fmtClockUtc(tSeconds: number): string {
  if (!known(tSeconds)) return '—';
  return new Date(tSeconds * 1000).toISOString().slice(11, 16);
}

/** Unix seconds as a UTC date and time: `2026-01-25 15:59`. */
export function fmtDateTimeUtc(tSeconds: number): string {
  if (!known(tSeconds)) return '—';
  return new Date(tSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ');
}
