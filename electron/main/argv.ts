// Finds the scenario file a user asked the desktop app to open on its command line (a double
// click on a `.peakline.json` file, `peakline-app plan.json`, or a second launch while running).
import { statSync } from 'node:fs';
import path from 'node:path';

/** Whether a file name looks like a scenario file (`*.json`, including `*.peakline.json`). */
export function isScenarioFileName(name: string): boolean {
  return /\.json$/i.test(name);
}

/**
 * The scenario files named in `argv` (flags, the executable and the app folder skipped), as
 * absolute paths of files that exist, in order.
 */
export function scenarioFilesFromArgv(
  argv: readonly string[],
  cwd: string,
  isFile: (p: string) => boolean = (p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  },
): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('-') || !isScenarioFileName(arg)) continue;
    const full = path.resolve(cwd, arg.startsWith('file://') ? new URL(arg).pathname : arg);
    if (isFile(full) && !out.includes(full)) out.push(full);
  }
  return out;
}
