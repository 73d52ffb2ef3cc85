// How long the disk under the lab's PostgreSQL takes to make a commit durable, measured on its own
// (not fitted): what PostgreSQL does at COMMIT with synchronous_commit on and wal_sync_method
// fdatasync, Linux's default — write the WAL page that holds the commit record, then fdatasync the
// segment, a preallocated file. The probe does the same in the lab's directory (same file system):
// a 1 MiB file written and synced once, then per flush one 8 kB page rewritten (sixteen commits a
// page, as small transactions fill one) and fdatasync'ed, timed. The model's db.commit_flush is
// made from these times.
import { closeSync, fdatasyncSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { LOGNORMAL_MAX_P99_RATIO } from '../../sim-core/index';
import { percentile } from './stats';

const PAGE = 8192;
const FILE_BYTES = 1 << 20;

/** Times `n` commit-like flushes in `dir` (ms each, in the order made); the file is removed. */
export function timeFlushes(dir: string, n = 200): number[] {
  const file = path.join(dir, 'peakline-flush-probe');
  const fd = openSync(file, 'w+');
  try {
    writeSync(fd, Buffer.alloc(FILE_BYTES), 0, FILE_BYTES, 0);
    fsyncSync(fd);
    const page = Buffer.alloc(PAGE, 0x5a);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const at = ((i >> 4) * PAGE) % FILE_BYTES;
      const t0 = process.hrtime.bigint();
      writeSync(fd, page, 0, PAGE, at);
      fdatasyncSync(fd);
      out.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return out;
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}

/** Mean, median and P99 of flush times (ms, rounded to the microsecond). */
export interface FlushFigures {
  mean_ms: number;
  p50_ms: number;
  p99_ms: number;
}

export function flushFigures(samples: readonly number[]): FlushFigures {
  if (samples.length === 0) throw new Error('no flush times');
  const sorted = [...samples].sort((a, b) => a - b);
  const us = (v: number) => Math.round(v * 1000) / 1000;
  return {
    mean_ms: us(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    p50_ms: us(percentile(sorted, 0.5)),
    p99_ms: us(percentile(sorted, 0.99)),
  };
}

/**
 * The model's db.commit_flush for measured flush figures: a lognormal of their mean and P99 (the
 * P99 held below what a lognormal of that mean can reach), or an exponential of the mean when the
 * P99 is not above it.
 */
export function flushDist(f: { mean_ms: number; p99_ms?: number }) {
  const mean_ms = Math.max(f.mean_ms, 0.001);
  if (f.p99_ms === undefined || f.p99_ms <= mean_ms * 1.01)
    return { dist: 'exp' as const, mean_ms };
  const p99_ms = Math.min(f.p99_ms, Math.floor(mean_ms * LOGNORMAL_MAX_P99_RATIO * 1000) / 1000);
  return { dist: 'lognormal' as const, mean_ms, p99_ms };
}
