// Profile storage as a user meets it: save a scenario, see it listed, load it back; bad names
// cannot escape the folder; a bad file shows the validator's message. (Its atomic writes are
// electron/write-file-atomic.test.ts.)
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ProfileStore, defaultUserProfilesDir, profileFileName, readScenarioFile } from './store';

const scenario = {
  schema: 'peakline.scenario/v1',
  name: 'Async seed',
  notes: 'ten workers drain a bounded queue',
  duration_s: 30,
  workload: { type: 'open', rate_rps: 4000 },
  server: { concurrency: 10 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 2 } }],
};

let root: string;
let store: ProfileStore;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'peakline-store-'));
  await mkdir(path.join(root, 'shipped'));
  store = new ProfileStore({
    userDir: path.join(root, 'user'),
    shippedDir: path.join(root, 'shipped'),
  });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('profile store', () => {
  it('saves a scenario, lists it with its title, and loads it back as written', async () => {
    expect(await store.list()).toEqual([]);
    const saved = await store.save('My plan', scenario);
    expect(saved).toMatchObject({
      name: 'My plan',
      file: 'My plan.json',
      title: 'Async seed',
      error: null,
    });
    const listed = await store.list();
    expect(listed.map((p) => [p.name, p.title, p.notes])).toEqual([
      ['My plan', 'Async seed', 'ten workers drain a bounded queue'],
    ]);
    const loaded = await store.load('My plan');
    expect(loaded.scenario).toEqual(scenario);
    // Defaults are not written into the user's file.
    const text = await readFile(path.join(root, 'user', 'My plan.json'), 'utf8');
    expect(JSON.parse(text)).toEqual(scenario);
  });

  it('keeps Chinese names and turns path tricks into harmless file names', async () => {
    expect(profileFileName('秒杀 峰值')).toBe('秒杀 峰值.json');
    expect(profileFileName('../../etc/passwd')).toBe('etc-passwd.json');
    expect(profileFileName('..\\..\\boot.ini')).toBe('boot.ini.json');
    expect(profileFileName('a/b:c*d')).toBe('a-b-c-d.json');
    expect(() => profileFileName('../..')).toThrow(/no usable characters/);
    expect(() => profileFileName('CON')).toThrow(/no usable characters/);
    await store.save('../../escape', scenario);
    expect(await readdir(root)).toEqual(expect.arrayContaining(['user', 'shipped']));
    expect(await readdir(path.join(root, 'user'))).toEqual(['escape.json']);
    expect(store.pathOf('../../escape')).toBe(path.join(root, 'user', 'escape.json'));
  });

  it('refuses to save an invalid scenario with the validator message, and writes nothing', async () => {
    const bad = { ...scenario, server: { concurrency: 0 } };
    await expect(store.save('broken', bad)).rejects.toMatchObject({
      code: 'invalid_scenario',
      message: expect.stringMatching(/^broken\.json: server\.concurrency: must be >= 1/),
    });
    expect(await store.list()).toEqual([]);
  });

  it('lists a bad file with its error and refuses to load it with the same message', async () => {
    await mkdir(path.join(root, 'user'));
    await writeFile(
      path.join(root, 'user', 'typo.json'),
      '{"schema": "peakline.scenario/v1",\n "name": "x" "seed": 1}',
    );
    const [entry] = await store.list();
    expect(entry.name).toBe('typo');
    expect(entry.title).toBeNull();
    expect(entry.error).toMatch(/^typo\.json: malformed JSON at line 2, column/);
    await expect(store.load('typo')).rejects.toMatchObject({
      code: 'invalid_scenario',
      message: entry.error,
    });
  });

  it('says which profile is missing', async () => {
    await expect(store.load('nothing here')).rejects.toMatchObject({
      code: 'not_found',
      message: 'no profile named "nothing here" (nothing here.json)',
    });
    expect(await store.delete('nothing here')).toEqual({ deleted: false });
  });

  it('Save As refuses to replace an existing profile; Save replaces it', async () => {
    await store.save('plan', scenario);
    await expect(
      store.save('plan', { ...scenario, name: 'B' }, { noOverwrite: true }),
    ).rejects.toMatchObject({
      code: 'exists',
    });
    await store.save('plan', { ...scenario, name: 'B' });
    expect((await store.load('plan')).scenario).toMatchObject({ name: 'B' });
    expect(await store.delete('plan')).toEqual({ deleted: true });
    expect(await store.list()).toEqual([]);
  });

  it('lists and loads shipped profiles, labelled with their place in the repository', async () => {
    await writeFile(path.join(root, 'shipped', 'seed-async.json'), JSON.stringify(scenario));
    await writeFile(path.join(root, 'shipped', 'README.md'), 'not a profile');
    const shipped = await store.listShipped();
    expect(shipped.map((p) => [p.name, p.source, p.title])).toEqual([
      ['seed-async', 'shipped', 'Async seed'],
    ]);
    expect((await store.load('seed-async', 'shipped')).scenario).toEqual(scenario);
    await expect(store.load('seed-async')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('reads a scenario file opened from the OS, or says what is wrong with it', async () => {
    const good = path.join(root, 'good.peakline.json');
    await writeFile(good, JSON.stringify(scenario));
    expect(await readScenarioFile(good)).toEqual({ path: good, scenario, error: null });
    const bad = path.join(root, 'bad.json');
    await writeFile(bad, JSON.stringify({ ...scenario, workload: { type: 'open', rate_rps: -1 } }));
    const r = await readScenarioFile(bad);
    expect(r.scenario).toBeNull();
    expect(r.error).toMatch(/^bad\.json: workload\.rate_rps/);
    expect((await readScenarioFile(path.join(root, 'none.json'))).error).toBe(
      'none.json: cannot read: no such file',
    );
  });

  it('puts web profiles under $PEAKLINE_HOME, else ~/.peakline', () => {
    expect(defaultUserProfilesDir({ PEAKLINE_HOME: '/srv/pl' }, '/home/u')).toBe(
      '/srv/pl/profiles',
    );
    expect(defaultUserProfilesDir({}, '/home/u')).toBe('/home/u/.peakline/profiles');
  });
});

describe('the shipped profiles of the repository', () => {
  it('all validate, and their golden summaries are not listed as profiles', async () => {
    const shipped = await new ProfileStore({ userDir: os.tmpdir() }).listShipped();
    expect(shipped.length).toBeGreaterThan(0);
    for (const p of shipped) {
      expect(p.error, p.file).toBeNull();
      expect(p.file).not.toMatch(/\.expected\.json$/);
      expect(p.title, p.file).toBeTruthy();
    }
    expect(shipped.map((p) => p.name)).toContain('seed-async-queue');
  });
});

describe('crash leftovers', () => {
  /** A process that starts writing a profile the way writeFileAtomic does and is killed (-9) mid-write. */
  async function crashMidWrite(dir: string): Promise<number> {
    const { spawn } = await import('node:child_process');
    const script = `
      const fs = require('node:fs'), path = require('node:path'), crypto = require('node:crypto');
      const tmp = path.join(${JSON.stringify(dir)}, '.big.peakline.json.' + process.pid + '.' + crypto.randomBytes(6).toString('hex') + '.tmp');
      const fd = fs.openSync(tmp, 'wx');
      fs.writeSync(fd, 'x'.repeat(1 << 20));
      process.stdout.write('writing\\n');
      setInterval(() => fs.writeSync(fd, 'x'.repeat(1 << 16)), 5);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    return child.pid!;
  }

  it('removes what a killed save left behind when the store opens, and nothing else', async () => {
    const dir = path.join(root, 'user');
    await mkdir(dir, { recursive: true });
    const deadPid = await crashMidWrite(dir);
    const [left] = (await readdir(dir)).filter((f) => f.endsWith('.tmp'));
    expect(left).toMatch(
      new RegExp(`^\\.big\\.peakline\\.json\\.${deadPid}\\.[0-9a-f]{12}\\.tmp$`),
    );
    // a minute old by now; a second leftover of the same dead writer that is still fresh; one of
    // a writer that is alive (this process); and the user's own file that only looks similar
    const { utimes } = await import('node:fs/promises');
    const old = new Date(Date.now() - 120_000);
    await utimes(path.join(dir, left), old, old);
    const fresh = `.a.peakline.json.${deadPid}.0123456789ab.tmp`;
    const live = `.b.peakline.json.${process.pid}.0123456789ab.tmp`;
    await writeFile(path.join(dir, fresh), '{');
    await writeFile(path.join(dir, live), '{');
    await utimes(path.join(dir, live), old, old);
    await writeFile(path.join(dir, 'notes.tmp'), 'mine');
    await utimes(path.join(dir, 'notes.tmp'), old, old);

    const store = new ProfileStore({ userDir: dir, shippedDir: path.join(root, 'shipped') });
    await store.list();
    expect(await store.cleanedUp()).toBe(1);
    expect((await readdir(dir)).sort()).toEqual([fresh, live, 'notes.tmp'].sort());
  });
});

describe('a profile that replays a trace', () => {
  const replay = (file: string) => ({
    ...scenario,
    name: 'Replay',
    workload: { type: 'trace', file },
  });

  it('comes with the arrivals of the log beside it, and the log’s bad lines by number', async () => {
    const dir = path.join(root, 'user');
    await mkdir(dir, { recursive: true });
    const log = await readFile(
      new URL('../../profiles/traces/orders-access.log', import.meta.url),
      'utf8',
    );
    await writeFile(path.join(dir, 'access.log'), log);
    await writeFile(path.join(dir, 'replay.json'), JSON.stringify(replay('access.log')));
    const p = await store.load('replay');
    const w = p.scenario.workload as { times_s?: number[]; format?: string };
    expect(w.times_s).toHaveLength(520);
    expect(w.format).toBe('nginx');
    expect(p.trace).toMatchObject({ file: 'access.log', lines: 523, bad: 3, arrivals: 520 });
    expect(p.trace!.bad_lines.map((b) => b.line)).toEqual([4, 100, 300]);
  });

  it('reads no file outside the profiles folder, and leaves a missing one for the console to ask', async () => {
    const dir = path.join(root, 'user');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(root, 'outside.log'), '1796579160.794 0.1 201 "GET /"\n');
    await writeFile(path.join(dir, 'out.json'), JSON.stringify(replay('../outside.log')));
    await writeFile(path.join(dir, 'gone.json'), JSON.stringify(replay('gone.log')));
    for (const name of ['out', 'gone']) {
      const p = await store.load(name);
      expect(p.trace).toBeUndefined();
      expect((p.scenario.workload as { times_s?: unknown }).times_s).toBeUndefined();
    }
  });
});
