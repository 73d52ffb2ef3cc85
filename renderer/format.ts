// Number formatting for readouts, tables and axes (locale-neutral, short, with units).

/** `1234.5` → `1,235`; small numbers keep up to `digits` significant decimals. */
export function fmtNum(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  // 999.6 rounds up to a four-digit number: group its digits like any other
  if (a >= 999.5) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(Math.max(0, digits - 2));
  if (a === 0) return '0';
  return Number(v.toPrecision(digits)).toString();
}

/** Milliseconds with the unit: `812 ms`, `1.2 s`. */
export function fmtMs(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (Math.abs(v) >= 10_000) return `${fmtNum(v / 1000)} s`;
  return `${fmtNum(v)} ms`;
}

/** Requests per second with the unit. */
export function fmtRps(v: number | null | undefined): string {
  return `${fmtNum(v)} req/s`;
}

/** A fraction as a percentage: `0.0123` → `1.23 %`. */
export function fmtPct(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const p = v * 100;
  if (p === 0) return '0 %';
  if (p < 0.01) return `${p.toPrecision(2)} %`;
  return `${p >= 10 ? p.toFixed(1) : Number(p.toPrecision(3))} %`;
}
