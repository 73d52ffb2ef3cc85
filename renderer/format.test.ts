// Number formats of the readouts and axes.
import { describe, expect, it } from 'vitest';
import { fmtBytes, fmtCompact, fmtMs, fmtNum, fmtPct, fmtRps, fmtSignedPct } from './format';

describe('formats', () => {
  it('keep whole numbers whole and round the rest to a few significant digits', () => {
    expect(fmtNum(20)).toBe('20');
    expect(fmtNum(4230)).toBe('4,230');
    expect(fmtNum(4230.6)).toBe('4,231');
    // a mean backlog of 999.6 shows as 1,000, the same as a backlog of exactly 1000
    expect(fmtNum(999.6)).toBe('1,000');
    expect(fmtNum(999.4)).toBe('999');
    expect(fmtNum(3898.6, 3, false)).toBe('3899');
    expect(fmtNum(12.345)).toBe('12.3');
    expect(fmtNum(0.012345)).toBe('0.0123');
    expect(fmtNum(Number.NaN)).toBe('—');
  });
  it('give units', () => {
    expect(fmtMs(812)).toBe('812 ms');
    expect(fmtMs(12_500)).toBe('12.5 s');
    expect(fmtRps(487)).toBe('487 req/s');
    expect(fmtPct(0.0123)).toBe('1.23 %');
    expect(fmtPct(0.000016)).toBe('0.0016 %');
    expect(fmtPct(0)).toBe('0 %');
    expect(fmtSignedPct(-0.042)).toBe('−4.2 %');
    expect(fmtSignedPct(0.125)).toBe('+12.5 %');
  });
  it('keep the Live view’s counters and memory short', () => {
    expect(fmtCompact(9_876)).toBe('9,876');
    expect(fmtCompact(12_345)).toBe('12.3K');
    expect(fmtCompact(4_500_000)).toBe('4.5M');
    expect(fmtCompact(null)).toBe('—');
    expect(fmtBytes(512)).toBe('512 B');
    expect(fmtBytes(1536 * 1024)).toBe('1.5 MB');
  });
});
