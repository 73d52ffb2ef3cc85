// Profile storage: the user's scenario files (desktop: Electron userData/profiles; web:
// $PEAKLINE_HOME/profiles or ~/.peakline/profiles) and the shipped ones in `profiles/`. Names are
// turned into safe file names (no path traversal), writes are atomic (temp file, fsync, rename),
// and every file read or written is checked by the scenario validator, whose message is what a
// bad file shows.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblems, parseScenarioText, validateScenario } from '../../sim-core/validate';
import type { LoadedProfile, OpenFile, ProfileEntry, ProfileSource } from '../api/contract';
import { peaklineHome } from '../home';
import { removeStaleTemp, writeFileAtomic } from '../write-file-atomic';
import { withTrace } from '../../sim-core/trace';

/** The repository's shipped profiles folder. */
export const SHIPPED_PROFILES_DIR = fileURLToPath(new URL('../../profiles/', import.meta.url));

/** The user profiles folder of the web console and CLI: $PEAKLINE_HOME/profiles or ~/.peakline/profiles. */
export function defaultUserProfilesDir(
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  return path.join(peaklineHome(env, home), 'profiles');
}

/** Why the store refused: a name it cannot use, no such profile, a file or scenario that does not
 * validate, a name already taken (Save As). */
export type ProfileErrorCode = 'invalid_name' | 'not_found' | 'invalid_scenario' | 'exists';

/** A profile the store cannot read or write, with a message a person can act on. */
export class ProfileError extends Error {
  override name = 'ProfileError';
  constructor(
    readonly code: ProfileErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;
const SUFFIX = '.json';

/**
 * The file name a profile name is stored under: letters (any script), digits, space, `_ . -`
 * kept, everything else (slashes, colons, control characters…) becomes `-`; no leading dots;
 * at most 100 characters; `.json` added. Throws a ProfileError when nothing usable is left.
 */
export function profileFileName(name: string): string {
  let base = name.trim();
  if (base.toLowerCase().endsWith(SUFFIX)) base = base.slice(0, -SUFFIX.length);
  base = base
    .normalize('NFC')
    .replace(/[^\p{L}\p{N} _.-]+/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.\s-]+/, '')
    .replace(/[.\s]+$/, '')
    .slice(0, 100)
    .trim();
  if (base === '' || WINDOWS_RESERVED.test(base.split('.')[0]))
    throw new ProfileError(
      'invalid_name',
      `profile name ${JSON.stringify(name)} has no usable characters (use letters, digits, space, _ . -)`,
    );
  return base + SUFFIX;
}

/** The profile name of a stored file name (its name without `.json`). */
function nameOfFile(file: string): string {
  return file.endsWith(SUFFIX) ? file.slice(0, -SUFFIX.length) : file;
}

export interface ProfileStoreOptions {
  /** The user's profiles folder (created on first save). */
  userDir: string;
  /** The shipped profiles folder (read only). Defaults to the repository's `profiles/`. */
  shippedDir?: string;
}

/** Reads, lists, saves and deletes scenario profiles; every file goes through the validator. */
export class ProfileStore {
  readonly userDir: string;
  readonly shippedDir: string;

  /** Crash leftovers in the user's folder, removed when the store opens (see removeStaleTemp). */
  private readonly opened: Promise<number>;

  constructor(options: ProfileStoreOptions) {
    this.userDir = path.resolve(options.userDir);
    this.shippedDir = path.resolve(options.shippedDir ?? SHIPPED_PROFILES_DIR);
    this.opened = removeStaleTemp(this.userDir);
  }

  /** How many stale temporary files opening the store removed. */
  cleanedUp(): Promise<number> {
    return this.opened;
  }

  private dirOf(source: ProfileSource): string {
    return source === 'shipped' ? this.shippedDir : this.userDir;
  }

  /** The absolute path a profile name maps to, guaranteed inside its folder. */
  pathOf(name: string, source: ProfileSource = 'user'): string {
    const dir = this.dirOf(source);
    const file = path.join(dir, profileFileName(name));
    if (path.dirname(file) !== dir)
      throw new ProfileError('invalid_name', `profile name ${JSON.stringify(name)} is not allowed`);
    return file;
  }

  /** The user's profiles, sorted by name; a file that does not validate carries its message. */
  async list(): Promise<ProfileEntry[]> {
    await this.opened;
    return this.listDir('user');
  }

  /** The shipped profiles from `profiles/`, sorted by name. */
  listShipped(): Promise<ProfileEntry[]> {
    return this.listDir('shipped');
  }

  private async listDir(source: ProfileSource): Promise<ProfileEntry[]> {
    const dir = this.dirOf(source);
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    // `*.expected.json` beside the shipped profiles are golden test summaries, not scenarios.
    const files = names
      .filter((f) => f.endsWith(SUFFIX) && !f.startsWith('.') && !f.endsWith('.expected.json'))
      .sort();
    const entries: ProfileEntry[] = [];
    for (const file of files) {
      const full = path.join(dir, file);
      let stat;
      try {
        stat = await fs.stat(full);
      } catch {
        continue; // deleted meanwhile
      }
      if (!stat.isFile()) continue;
      const text = await fs.readFile(full, 'utf8');
      const label = this.labelOf(file, source);
      const r = parseScenarioText(text, label);
      entries.push({
        name: nameOfFile(file),
        source,
        file,
        title: r.ok ? r.scenario.name : null,
        notes: r.ok ? r.scenario.notes : null,
        modified_ms: Math.round(stat.mtimeMs),
        error: r.ok ? null : formatProblems(label, r.problems).join('\n'),
      });
    }
    return entries;
  }

  private labelOf(file: string, source: ProfileSource): string {
    return source === 'shipped' ? `profiles/${file}` : file;
  }

  /** Reads one profile; a missing file is `not_found`, a bad one `invalid_scenario` with the validator's message. */
  async load(name: string, source: ProfileSource = 'user'): Promise<LoadedProfile> {
    const full = this.pathOf(name, source);
    const file = path.basename(full);
    let text: string;
    try {
      text = await fs.readFile(full, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new ProfileError(
          'not_found',
          `no ${source === 'shipped' ? 'shipped ' : ''}profile named ${JSON.stringify(name)} (${this.labelOf(file, source)})`,
        );
      throw e;
    }
    const label = this.labelOf(file, source);
    const r = parseScenarioText(text, label);
    if (!r.ok)
      throw new ProfileError('invalid_scenario', formatProblems(label, r.problems).join('\n'));
    const scenario = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    return { name: nameOfFile(file), source, file, ...(await this.withTraceFile(scenario, full)) };
  }

  /**
   * A trace workload's file, when it sits in the profile's own folder, read and its arrivals put
   * into the scenario (the console's Web Workers cannot read files); otherwise the scenario as it
   * is (the console then asks for the file). A file that holds no traffic is `invalid_scenario`.
   */
  private async withTraceFile(
    scenario: LoadedProfile['scenario'],
    full: string,
  ): Promise<Pick<LoadedProfile, 'scenario' | 'trace'>> {
    const w = scenario.workload as Record<string, unknown> | undefined;
    if (w?.type !== 'trace' || typeof w.file !== 'string' || w.times_s || w.rates)
      return { scenario };
    const dir = path.dirname(full);
    const traceFile = path.resolve(dir, w.file);
    if (path.dirname(traceFile) !== dir) return { scenario };
    let text: string;
    try {
      text = await fs.readFile(traceFile, 'utf8');
    } catch {
      return { scenario };
    }
    try {
      const { scenario: out, trace } = withTrace(scenario, text);
      return {
        scenario: out,
        trace: {
          file: w.file,
          format: trace.format,
          lines: trace.lines,
          bad: trace.bad,
          bad_lines: trace.bad_lines,
          arrivals: trace.rates ? trace.rates.length : trace.times_s.length,
        },
      };
    } catch (e) {
      throw new ProfileError(
        'invalid_scenario',
        `workload.file (${w.file}): ${(e as Error).message}`,
      );
    }
  }

  /**
   * Validates and saves a scenario under `name` (atomically). With `noOverwrite` an existing
   * profile of that name is refused (`exists`). The file holds the scenario as given.
   */
  async save(
    name: string,
    scenario: unknown,
    options: { noOverwrite?: boolean } = {},
  ): Promise<ProfileEntry> {
    const full = this.pathOf(name, 'user');
    const file = path.basename(full);
    const r = validateScenario(scenario, file);
    if (!r.ok)
      throw new ProfileError('invalid_scenario', formatProblems(file, r.problems).join('\n'));
    await fs.mkdir(this.userDir, { recursive: true });
    if (options.noOverwrite) {
      const exists = await fs.stat(full).then(
        () => true,
        () => false,
      );
      if (exists)
        throw new ProfileError(
          'exists',
          `a profile named ${JSON.stringify(nameOfFile(file))} already exists`,
        );
    }
    await writeFileAtomic(full, `${JSON.stringify(scenario, null, 2)}\n`);
    const stat = await fs.stat(full);
    return {
      name: nameOfFile(file),
      source: 'user',
      file,
      title: r.scenario.name,
      notes: r.scenario.notes,
      modified_ms: Math.round(stat.mtimeMs),
      error: null,
    };
  }

  /** Deletes a user profile; `deleted` is false when there was none. */
  async delete(name: string): Promise<{ deleted: boolean }> {
    const full = this.pathOf(name, 'user');
    try {
      await fs.unlink(full);
      return { deleted: true };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { deleted: false };
      throw e;
    }
  }
}

/**
 * Reads a scenario file the user opened from the OS (argv, double click, File ▸ Open): the
 * scenario as written, or the validator's (or the reader's) message.
 */
export async function readScenarioFile(file: string): Promise<OpenFile> {
  const full = path.resolve(file);
  const label = path.basename(full);
  let text: string;
  try {
    text = await fs.readFile(full, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a folder' : err.message;
    return { path: full, scenario: null, error: `${label}: cannot read: ${why}` };
  }
  const r = parseScenarioText(text, label);
  if (!r.ok)
    return { path: full, scenario: null, error: formatProblems(label, r.problems).join('\n') };
  return {
    path: full,
    scenario: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text),
    error: null,
  };
}
