// The contract's Node side as the UI meets it through either shell: requests are validated with
// messages naming the field, profiles round-trip through the real store, and failures come back
// as clear errors instead of exceptions.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { ProfileStore } from '../profiles/store';
import { tempProfiles, TINY_SCENARIO, type TempProfiles } from './testing';
import { createApiHandler, type ApiHandler, type RequestContext } from './handler';
import type { EventChannel } from './contract';

const scenario = { ...TINY_SCENARIO, name: 'Sync seed' };

let profiles: TempProfiles;
let root: string;
let handler: ApiHandler;
let used: { name: string; source: string }[];
const events: { channel: EventChannel; payload: unknown }[] = [];
const ctx: RequestContext = { emit: (channel, payload) => events.push({ channel, payload }) };

beforeEach(async () => {
  profiles = await tempProfiles('peakline-handler-', 'seed-sync.json', scenario);
  root = profiles.root;
  used = [];
  handler = createApiHandler({
    shell: 'web',
    version: '9.9.9',
    store: profiles.store,
    onProfileUsed: (u) => used.push(u),
  });
});
afterEach(async () => {
  handler.dispose();
  await profiles.remove();
});

describe('API handler', () => {
  it('saves, lists, loads and deletes a profile', async () => {
    const saved = await handler.handle('profiles:save', { name: 'plan A', scenario }, ctx);
    expect(saved).toMatchObject({
      ok: true,
      result: { name: 'plan A', title: 'Sync seed', error: null },
    });
    const list = await handler.handle('profiles:list', undefined, ctx);
    expect(list.ok && list.result).toEqual([
      expect.objectContaining({ name: 'plan A', source: 'user' }),
    ]);
    const loaded = await handler.handle('profiles:load', { name: 'plan A' }, ctx);
    expect(loaded).toEqual({
      ok: true,
      result: { name: 'plan A', source: 'user', file: 'plan A.json', scenario },
    });
    expect(used).toEqual([
      { name: 'plan A', source: 'user' },
      { name: 'plan A', source: 'user' },
    ]);
    expect(await handler.handle('profiles:delete', { name: 'plan A' }, ctx)).toEqual({
      ok: true,
      result: { deleted: true },
    });
  });

  it('lists and loads shipped profiles', async () => {
    const shipped = await handler.handle('profiles:shipped', {}, ctx);
    expect(shipped.ok && shipped.result).toEqual([
      expect.objectContaining({ name: 'seed-sync', source: 'shipped', title: 'Sync seed' }),
    ]);
    const loaded = await handler.handle(
      'profiles:load',
      { name: 'seed-sync', source: 'shipped' },
      ctx,
    );
    expect(loaded.ok && loaded.result).toMatchObject({ scenario });
  });

  it("carries the profile store's refusals with the contract's codes", async () => {
    expect(await handler.handle('profiles:save', { name: '../..', scenario }, ctx)).toEqual({
      ok: false,
      error: {
        code: 'invalid_request',
        message:
          'profile name "../.." has no usable characters (use letters, digits, space, _ . -)',
      },
    });
    expect(await handler.handle('profiles:load', { name: 'none' }, ctx)).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'no profile named "none" (none.json)' },
    });
    await handler.handle('profiles:save', { name: 'taken', scenario }, ctx);
    const again = await handler.handle(
      'profiles:save',
      { name: 'taken', scenario, noOverwrite: true },
      ctx,
    );
    expect(!again.ok && again.error).toEqual({
      code: 'exists',
      message: 'a profile named "taken" already exists',
    });
  });

  it('refuses a malformed payload naming the request and the field', async () => {
    expect(await handler.handle('profiles:save', { name: '', scenario }, ctx)).toEqual({
      ok: false,
      error: { code: 'invalid_request', message: 'profiles:save: name: name must not be empty' },
    });
    const r = await handler.handle(
      'profiles:load',
      { name: 'x', source: 'elsewhere', extra: 1 },
      ctx,
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_request');
      expect(r.error.message).toMatch(/^profiles:load: source: /m);
      expect(r.error.message).toMatch(/^profiles:load: payload: .*"extra"/m);
    }
    const s = await handler.handle('profiles:save', { name: 'x', scenario: [1, 2] }, ctx);
    expect(!s.ok && s.error.message).toBe(
      'profiles:save: scenario: scenario must be a JSON object',
    );
  });

  it('refuses an unknown request', async () => {
    expect(await handler.handle('shell:exec', { cmd: 'rm -rf /' }, ctx)).toEqual({
      ok: false,
      error: { code: 'invalid_request', message: 'unknown request "shell:exec"' },
    });
    expect((await handler.handle('__proto__', {}, ctx)).ok).toBe(false);
  });

  it('refuses a scenario nested 10,000 deep with the path where it goes too deep', async () => {
    let step: unknown = { cpu: { dist: 'const', ms: 1 } };
    for (let i = 0; i < 10_000; i++) step = { lock: { key: 'item', steps: [step] } };
    const deep = { ...scenario, handler: [step] };
    const r = await handler.handle('profiles:save', { name: 'deep', scenario: deep }, ctx);
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'invalid_scenario',
        message: `deep.json: handler[0]${'.lock.steps[0]'.repeat(31)}.lock.steps: nested too deep: steps may nest 32 levels (lock and transaction steps inside one another); these are level 33`,
      },
    });
  });

  it('passes on the validator message of a bad scenario', async () => {
    const bad = { ...scenario, workload: { type: 'open', rate_rps: 0 } };
    const r = await handler.handle('profiles:save', { name: 'bad', scenario: bad }, ctx);
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'invalid_scenario',
        message: expect.stringMatching(/^bad\.json: workload\.rate_rps: /),
      },
    });
    const sw = await handler.handle(
      'sweep:run',
      { id: 's1', scenario: bad, vary: [{ path: 'server.concurrency', from: 1, to: 4 }] },
      ctx,
    );
    expect(!sw.ok && sw.error).toMatchObject({
      code: 'invalid_scenario',
      message: expect.stringMatching(/^scenario: workload\.rate_rps/),
    });
    const dims = await handler.handle('sweep:run', { id: 's2', scenario, vary: [] }, ctx);
    expect(!dims.ok && dims.error.message).toBe(
      'sweep:run: vary: vary needs one or two dimensions',
    );
    const half = await handler.handle(
      'sweep:run',
      { id: 's3', scenario, vary: [{ path: 'server.concurrency', from: 1 }] },
      ctx,
    );
    expect(!half.ok && half.error.message).toBe(
      'sweep:run: vary[0].to: Invalid input: expected number, received undefined',
    );
  });

  it('tells the UI to download exports in the web shell, and says what shell it is', async () => {
    expect(
      await handler.handle(
        'export:save',
        { kind: 'csv', suggestedName: 'r.csv', data: 'a,b\n', encoding: 'utf8' },
        ctx,
      ),
    ).toEqual({ ok: true, result: { saved: false, path: null, download: true } });
    const info = await handler.handle('app:info', undefined, ctx);
    expect(info).toEqual({
      ok: true,
      result: {
        shell: 'web',
        version: '9.9.9',
        platform: expect.any(String),
        profilesDir: path.join(root, 'user'),
      },
    });
  });

  it('says live monitoring is unavailable when the shell has no live service', async () => {
    const r = await handler.handle('live:list', undefined, ctx);
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'unavailable',
        message: 'live:list: live monitoring is not available in this shell',
      },
    });
    const bad = await handler.handle('live:connect', { kind: 'redis', url: 'http://x' }, ctx);
    expect(!bad.ok && bad.error.message).toMatch(
      /^live:connect: url: url must be a URL starting with redis:\/\/ or rediss:\/\//,
    );
  });

  it('reports a cancel of a sweep that is not running as not cancelled', async () => {
    expect(await handler.handle('sweep:cancel', { id: 'nope' }, ctx)).toEqual({
      ok: true,
      result: { cancelled: false },
    });
  });

  it('runs a sweep on the real engine, reporting progress to the caller and the cheapest point', async () => {
    const sweeper = createApiHandler({
      shell: 'web',
      version: '0',
      store: new ProfileStore({ userDir: path.join(root, 'user') }),
      sweepThreads: 1,
    });
    const mine: { channel: EventChannel; payload: unknown }[] = [];
    const r = await sweeper.handle(
      'sweep:run',
      {
        id: 'workers',
        scenario: { ...scenario, duration_s: 2, workload: { type: 'open', rate_rps: 2000 } },
        vary: [{ path: 'server.concurrency', from: 2, to: 8, step: 2 }],
        slo: 'p99<=20',
      },
      { emit: (channel, payload) => mine.push({ channel, payload }) },
    );
    sweeper.dispose();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const res = r.result as {
      points: { values: Record<string, number>; meets_slo: boolean; p99_ms: number }[];
      best: { values: Record<string, number> } | null;
      cancelled: boolean;
    };
    expect(res.cancelled).toBe(false);
    expect(res.points.map((p) => p.values['server.concurrency'])).toEqual([2, 4, 6, 8]);
    // 2000 req/s of 2 ms work need 4 handlers on average: 2 cannot keep up, 8 easily can.
    expect(res.points[0].meets_slo).toBe(false);
    expect(res.points[3].meets_slo).toBe(true);
    const cheapest = res.points.find((p) => p.meets_slo)!;
    expect(res.best?.values).toEqual(cheapest.values);
    expect(mine.map((e) => e.channel)).toEqual([
      'sweep:progress',
      'sweep:progress',
      'sweep:progress',
      'sweep:progress',
    ]);
    expect(mine.at(-1)?.payload).toEqual({ id: 'workers', done: 4, total: 4 });
  });

  it('cancels a running sweep by id and returns the points done so far', async () => {
    const sweeper = createApiHandler({
      shell: 'web',
      version: '0',
      store: new ProfileStore({ userDir: path.join(root, 'user') }),
      sweepThreads: 1,
    });
    let cancelled: Promise<unknown> | null = null;
    const r = await sweeper.handle(
      'sweep:run',
      {
        id: 'big',
        scenario: { ...scenario, duration_s: 2 },
        vary: [{ path: 'server.concurrency', from: 1, to: 200 }],
      },
      {
        emit: () => {
          cancelled ??= sweeper.handle('sweep:cancel', { id: 'big' }, ctx);
        },
      },
    );
    expect(await cancelled).toEqual({ ok: true, result: { cancelled: true } });
    sweeper.dispose();
    expect(r.ok && r.result).toMatchObject({ id: 'big', cancelled: true });
    const n = r.ok ? (r.result as { points: unknown[] }).points.length : 0;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(200);
  });
});
