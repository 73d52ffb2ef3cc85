// Test helper for the CLI stories: runs the real `peakline` bin in a child process, as a user
// would, and collects what it prints and its exit code.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and the bin under test. */
export const root = fileURLToPath(new URL('../..', import.meta.url));
export const bin = join(root, 'electron/bin/peakline.mjs');

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node electron/bin/peakline.mjs …args` in `cwd` and collects its output. */
export function runPeakline(cwd: string, ...args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
