// The scenario panel's controls, as pure functions over real scenario files.
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../sim-core/schema';
import { validateScenario } from '../../sim-core/validate';
import {
  CONTROLS,
  addCache,
  beyondSlider,
  checkControlText,
  readControl,
  toAsync,
  toSync,
  writeControl,
} from './controls';

import asyncFile from '../../profiles/seed-async-queue.json';
import syncFile from '../../profiles/seed-sync-baseline.json';

const asyncSeed = asyncFile as unknown as ScenarioInput;
const syncSeed = syncFile as unknown as ScenarioInput;

describe('scenario controls', () => {
  it('read the values a planner sees in the async seed profile', () => {
    expect(readControl(asyncSeed, 'workers')).toBe(10);
    expect(readControl(asyncSeed, 'queue')).toBe(1000);
    expect(readControl(asyncSeed, 'pool')).toBe(asyncSeed.db!.pool_size);
    expect(readControl(asyncSeed, 'connections')).toBe(200);
    expect(readControl(asyncSeed, 'rate')).toBeNull();
  });

  it('say "does not apply" for async controls of a synchronous scenario', () => {
    expect(readControl(syncSeed, 'workers')).toBeNull();
    expect(readControl(syncSeed, 'queue')).toBeNull();
    expect(writeControl(syncSeed, 'workers', 20)).toBe(syncSeed);
  });

  it('write a new scenario and leave the old one untouched, and the result still validates', () => {
    for (const def of CONTROLS) {
      const before = readControl(asyncSeed, def.id);
      if (before === null) continue;
      const target = def.id === 'hit' ? 0.5 : Math.max(def.min, Math.round(before / 2) || def.min);
      const next = writeControl(asyncSeed, def.id, target);
      expect(readControl(next, def.id), def.id).toBe(target);
      expect(readControl(asyncSeed, def.id)).toBe(before);
      expect(validateScenario(next).ok, def.id).toBe(true);
    }
  });

  it('round counts to whole numbers and clamp to the minimum', () => {
    expect(readControl(writeControl(asyncSeed, 'workers', 7.6), 'workers')).toBe(8);
    expect(readControl(writeControl(asyncSeed, 'workers', -3), 'workers')).toBe(1);
    expect(readControl(writeControl(asyncSeed, 'hit', 1.7), 'hit')).toBe(1);
  });

  it('scale a sale-day rate curve so its peak follows the Arrival rate slider', () => {
    const curve: ScenarioInput = {
      ...syncSeed,
      workload: {
        type: 'open',
        rate_rps: [
          [0, 100],
          [10, 400],
          [20, 200],
        ],
      },
    };
    expect(readControl(curve, 'rate')).toBe(400);
    const next = writeControl(curve, 'rate', 800);
    expect(next.workload.type === 'open' && next.workload.rate_rps).toEqual([
      [0, 200],
      [10, 800],
      [20, 400],
    ]);
  });

  it('switch async → sync by running the task inline, and back to the same shape', () => {
    const { scenario: sync, stash } = toSync(asyncSeed);
    expect(sync.async).toBeUndefined();
    expect(JSON.stringify(sync.handler)).not.toContain('enqueue');
    expect(validateScenario(sync).ok).toBe(true);
    const back = toAsync(sync, stash);
    expect(back.handler).toEqual(asyncSeed.handler);
    expect(back.async).toEqual(asyncSeed.async);
  });

  it('make a plain scenario async by moving the work after the first step onto a queue', () => {
    const next = toAsync(syncSeed, null);
    expect(next.async?.queue_capacity).toBe(1000);
    expect(next.async?.workers).toBe(10);
    expect(next.handler).toHaveLength(2);
    expect(validateScenario(next).ok).toBe(true);
  });

  it('add a cache step so the Cache hit ratio slider has something to move', () => {
    const plain: ScenarioInput = {
      schema: 'peakline.scenario/v1',
      name: 'plain',
      duration_s: 1,
      workload: { type: 'open', rate_rps: 10 },
      server: { concurrency: 1 },
      handler: [{ cpu: { dist: 'exp', mean_ms: 1 } }],
    };
    expect(readControl(plain, 'hit')).toBeNull();
    const withCache = addCache(plain);
    expect(readControl(withCache, 'hit')).toBe(0.9);
    expect(validateScenario(withCache).ok).toBe(true);
  });
});

describe('a control’s number field', () => {
  const workers = CONTROLS.find((c) => c.id === 'workers')!;
  const hit = CONTROLS.find((c) => c.id === 'hit')!;
  const rate = CONTROLS.find((c) => c.id === 'rate')!;

  it('says why it does not take a value instead of rounding or clamping it', () => {
    expect(checkControlText(workers, '')).toEqual({ ok: false, reason: 'fieldEmpty', vars: {} });
    expect(checkControlText(workers, '2.5')).toEqual({ ok: false, reason: 'fieldWhole', vars: {} });
    expect(checkControlText(workers, '0')).toEqual({
      ok: false,
      reason: 'fieldMin',
      vars: { min: 1 },
    });
    expect(checkControlText(workers, '1e400')).toMatchObject({
      ok: false,
      reason: 'fieldNotNumber',
    });
    expect(checkControlText(hit, '1.2')).toEqual({
      ok: false,
      reason: 'fieldMax',
      vars: { max: 1 },
    });
    expect(checkControlText(hit, '0.85')).toEqual({ ok: true, value: 0.85 });
    // the arrival rate takes decimals, and down to a tenth of the slider's start
    expect(checkControlText(rate, '2.5')).toEqual({ ok: true, value: 2.5 });
    expect(checkControlText(rate, '0.5')).toMatchObject({ ok: false, reason: 'fieldMin' });
  });

  it('takes a value past the slider’s end, which then says so', () => {
    expect(checkControlText(workers, ' 500 ')).toEqual({ ok: true, value: 500 });
    expect(beyondSlider(workers, 500)).toBe(true);
    expect(beyondSlider(workers, 200)).toBe(false);
    expect(beyondSlider(rate, 5)).toBe(true);
  });
});
