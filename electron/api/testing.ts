// Fixtures for the Node-side tests of the contract (the handler, the web server, the Electron
// shell): a small valid scenario and a temporary profile store with it shipped as a profile.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ScenarioInput } from '../../sim-core/schema';
import { ProfileStore } from '../profiles/store';

/** A small valid scenario (M/M/10 at 400 req/s, 5 s simulated): quick to run. */
export const TINY_SCENARIO: ScenarioInput = {
  schema: 'peakline.scenario/v1',
  name: 'Async seed',
  duration_s: 5,
  workload: { type: 'open', rate_rps: 400 },
  server: { concurrency: 10 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 2 } }],
};

/** A profile store in a fresh temporary folder. */
export interface TempProfiles {
  /** The folder: `shipped/` and `user/` are inside; the test may put more there. */
  root: string;
  store: ProfileStore;
  /** Deletes the folder. */
  remove(): Promise<void>;
}

/** A temporary profile store whose shipped folder holds `scenario` as `<file>`. */
export async function tempProfiles(
  prefix: string,
  file: string,
  scenario: ScenarioInput = TINY_SCENARIO,
): Promise<TempProfiles> {
  const root = await mkdtemp(path.join(os.tmpdir(), prefix));
  await mkdir(path.join(root, 'shipped'));
  await writeFile(path.join(root, 'shipped', file), JSON.stringify(scenario));
  const store = new ProfileStore({
    userDir: path.join(root, 'user'),
    shippedDir: path.join(root, 'shipped'),
  });
  return { root, store, remove: () => rm(root, { recursive: true, force: true }) };
}
