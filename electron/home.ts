// Where the web console and the CLI keep what they save: $PEAKLINE_HOME, or ~/.peakline. The
// desktop app uses its own user-data folder instead.
import os from 'node:os';
import path from 'node:path';

/** $PEAKLINE_HOME (when set and not blank) or ~/.peakline, absolute. */
export function peaklineHome(
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  const base =
    env.PEAKLINE_HOME && env.PEAKLINE_HOME.trim() !== ''
      ? env.PEAKLINE_HOME
      : path.join(home, '.peakline');
  return path.resolve(base);
}
