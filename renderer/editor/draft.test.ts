// The draft and the scenario changing under it, as a planner meets it: a slider moved while a draft
// is open shows up in the draft (its own edits kept), a slider on a field the draft changed too
// asks which stands, as does a draft that is not JSON or another scenario loaded; and each
// validator problem is found at its line and column in the text.
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../sim-core/schema';
import { parseScenarioText } from '../../sim-core/validate';
import { writeControl } from '../scenario/controls';
import { describeChanges, diffLeaves, followScenario, scenarioText, type Draft } from './draft';
import { jsonSpans, lineColumnOf, problemRange } from './jsonSpans';
import asyncFile from '../../profiles/seed-async-queue.json';

const seed = asyncFile as unknown as ScenarioInput;

/** A draft of `seed` whose text has `edit` applied (as if typed). */
const draftOf = (edit: (o: Record<string, unknown>) => void): Draft => {
  const o = JSON.parse(scenarioText(seed)) as Record<string, unknown>;
  edit(o);
  return { text: JSON.stringify(o, null, 2), base: seed };
};

describe('a draft following the scenario', () => {
  it('takes a slider’s change to a field it leaves alone, keeping its own edits', () => {
    const draft = draftOf((o) => (o.name = 'My edit'));
    const moved = writeControl(seed, 'workers', 16);
    const f = followScenario(draft, moved);
    const merged = JSON.parse(f.draft!.text) as ScenarioInput;
    expect(merged.name).toBe('My edit');
    expect(merged.async!.workers).toBe(16);
    expect(f.draft!.base).toBe(moved);
    expect(f.note).toEqual({
      kind: 'merged',
      changes: [{ path: 'async.workers', segs: ['async', 'workers'], from: 10, to: 16 }],
    });
    expect(describeChanges(f.note!.changes)).toBe('async.workers 10 → 16');
  });

  it('asks which stands when the slider moved a field the draft changed too', () => {
    const draft = draftOf((o) => ((o.async as { workers: number }).workers = 12));
    const f = followScenario(draft, writeControl(seed, 'workers', 16));
    expect(f.draft).toBe(draft);
    expect(f.note).toMatchObject({ kind: 'conflict', why: 'edited' });
    expect(describeChanges(f.note!.changes)).toBe('async.workers 10 → 16');
  });

  it('takes a change the draft already has, without asking', () => {
    const draft = draftOf((o) => ((o.async as { workers: number }).workers = 16));
    const f = followScenario(draft, writeControl(seed, 'workers', 16));
    // nothing else differs: the draft is gone, the editor shows the scenario
    expect(f.draft).toBeNull();
    expect(f.note).toBeNull();
  });

  it('asks when the draft is not JSON, and when another scenario is loaded', () => {
    const broken: Draft = { text: scenarioText(seed).replace('"name"', 'name'), base: seed };
    expect(followScenario(broken, writeControl(seed, 'pool', 30)).note).toMatchObject({
      kind: 'conflict',
      why: 'json',
    });
    const draft = draftOf((o) => (o.notes = 'mine'));
    const other = { ...seed, name: 'Another one', duration_s: 5 };
    expect(followScenario(draft, other, true).note).toMatchObject({
      kind: 'conflict',
      why: 'loaded',
      name: 'Another one',
    });
  });

  it('follows a switch that rewrites a whole section (async off) when the draft left it alone', () => {
    const draft = draftOf((o) => (o.seed = 7));
    const { async: _gone, ...sync } = seed;
    const f = followScenario(draft, { ...sync, handler: [seed.handler[0]] });
    const merged = JSON.parse(f.draft!.text) as ScenarioInput;
    expect(merged.seed).toBe(7);
    expect(merged.async).toBeUndefined();
    expect(merged.handler).toHaveLength(1);
  });

  it('lists the differences leaf by leaf, a list of another length as one', () => {
    expect(diffLeaves({ a: { b: 1, c: [1, 2] } }, { a: { b: 2, c: [1, 2, 3] } })).toEqual([
      { path: 'a.b', segs: ['a', 'b'], from: 1, to: 2 },
      { path: 'a.c', segs: ['a', 'c'], from: [1, 2], to: [1, 2, 3] },
    ]);
  });
});

describe('problems at their line and column', () => {
  const at = (text: string, p: { path: string; message: string }) => {
    const r = problemRange(text, jsonSpans(text), p.path, p.message);
    return { ...lineColumnOf(text, r.from), text: text.slice(r.from, r.to) };
  };
  const problems = (text: string) => {
    const r = parseScenarioText(text);
    if (r.ok) throw new Error('valid');
    return r.problems;
  };

  it('marks a bad value where it is written', () => {
    const text = scenarioText({ ...seed, db: { ...seed.db!, pool_size: -2 } });
    const [p] = problems(text);
    expect(p.path).toBe('db.pool_size');
    const line = text.split('\n').findIndex((l) => l.includes('"pool_size"')) + 1;
    expect(at(text, p)).toEqual({ line, column: 18, text: '-2' });
  });

  it('marks an unknown field at its name, a missing one at the object that lacks it', () => {
    const o = JSON.parse(scenarioText(seed));
    o.async.wrokers = 3;
    delete o.async.workers;
    const text = JSON.stringify(o, null, 2);
    const found = problems(text).map((p) => at(text, p).text);
    expect(found).toContain('"wrokers"');
    expect(found).toContain('"async"');
  });

  it('marks malformed JSON at the line and column the validator names', () => {
    const text = '{\n  "schema": "peakline.scenario/v1",\n  "name": \n}';
    const [p] = problems(text);
    expect(p.message).toMatch(/^malformed JSON at line 4, column 1/);
    expect(at(text, p)).toEqual({ line: 4, column: 1, text: '}' });
  });
});
