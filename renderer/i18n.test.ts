/// <reference types="vite/client" />
// In 简体中文 the console explains a bad scenario in Chinese: every form of message the validator
// writes (wrong values, unknown fields with their suggestion, missing sections, malformed JSON)
// reads in Chinese, keeping the field paths, names and values as written; the Node side's
// `file: path: message` lines too. The shipped profiles are listed under Chinese names.
import { describe, expect, it } from 'vitest';
import { parseScenarioText, validateScenario } from '../sim-core/validate';
import { profileName, translateProblem, translateProblemLines } from './i18n';
import { DEFAULT_SCENARIO } from './scenario/defaults';

type Edit = (s: Record<string, any>) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
const edited = (edit: Edit): unknown => {
  const s = structuredClone(DEFAULT_SCENARIO) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  edit(s);
  return s;
};

const BAD: Edit[] = [
  (s) => (s.workload.rate_rps = 0),
  (s) => (s.server.instancs = 2),
  (s) => (s.workload.type = 'opne'),
  (s) => (s.handler = []),
  (s) =>
    (s.handler = [
      { cpu: { dist: 'exp', mean_ms: 1 }, db: { query: { dist: 'exp', mean_ms: 1 } } },
    ]),
  (s) => (s.handler = [{ cpux: {} }]),
  (s) => (s.handler = [5]),
  (s) => (s.handler = [{}]),
  (s) => (s.handler = 'x'),
  (s) => (s.server.concurrency = 'ten'),
  (s) => (s.server.concurrency = 2.5),
  (s) => delete s.name,
  (s) => (s.name = ''),
  (s) => (s.async.when_full = 'blok'),
  (s) => delete s.db,
  (s) => delete s.async,
  (s) => (s.handler = [{ cpu: { dist: 'lognormal', mean_ms: 2, sigma: 1, p99_ms: 9 } }]),
  (s) => (s.handler = [{ cpu: { dist: 'lognormal', mean_ms: 2, p99_ms: 1 } }]),
  (s) => (s.handler = [{ cpu: { dist: 'lognormal', mean_ms: 2, p99_ms: 1000 } }]),
  (s) => (s.handler = [{ cpu: { dist: 'uniform', min_ms: 5, max_ms: 1 } }]),
  (s) => (s.db.pool_size = -2),
  (s) => (s.schema = 'x'),
  (s) => (s.server.host = 'db'),
  (s) => (s.workload.rate_rps = [[0, 0]]),
];
const BAD_JSON = [
  '',
  '{ "a": }',
  '{ "a": 1, }',
  "{ 'a': 1 }",
  '{ "a": 1 // x\n}',
  '[1 2]',
  '{"a" 1}',
];

/** Every message the validator writes for the bad scenarios and texts above. */
function messages(): string[] {
  const out = new Set<string>();
  const add = (r: ReturnType<typeof validateScenario>) => {
    if (r.ok) throw new Error('a bad scenario validated');
    for (const p of r.problems) out.add(p.message);
  };
  for (const edit of BAD) add(validateScenario(edited(edit)));
  add(validateScenario(null));
  for (const text of BAD_JSON) add(parseScenarioText(text));
  return [...out];
}

const cjk = /[\u3400-\u9fff]/;

describe('the validator’s messages in 简体中文', () => {
  it('translates every form of message, keeping names and values as written', () => {
    const all = messages();
    expect(all.length).toBeGreaterThan(25);
    const untranslated = all.filter((m) => !cjk.test(translateProblem('zh', m)));
    expect(untranslated).toEqual([]);
    expect(translateProblem('zh', 'must be >= 1 (got -2)')).toBe('必须 >= 1（实际为 -2）');
    expect(
      translateProblem(
        'zh',
        'unknown field — did you mean "instances"? (allowed here: instances, concurrency, backlog, host)',
      ),
    ).toBe('未知字段（此处允许：instances, concurrency, backlog, host）——是否想写 "instances"？');
    expect(
      translateProblem('zh', 'malformed JSON at line 4, column 3: expected "," or "}", found "x"'),
    ).toBe('JSON 格式错误，第 4 行第 3 列：应为"," 或 "}"，实际为"x"');
    // English stays English.
    expect(translateProblem('en', 'must be >= 1 (got -2)')).toBe('must be >= 1 (got -2)');
  });

  it('translates the Node side’s lines, keeping the file and the field path', () => {
    expect(
      translateProblemLines(
        'zh',
        'broken.json: async.workers: must be >= 1 (got 0)\nbroken.json: db: is required (an object)',
      ),
    ).toBe('broken.json: async.workers: 必须 >= 1（实际为 0）\nbroken.json: db: 必填（对象）');
    expect(translateProblemLines('zh', 'the Peakline server is not reachable')).toBe(
      'the Peakline server is not reachable',
    );
  });
});

describe('the shipped profiles in 简体中文', () => {
  it('have a Chinese name each', () => {
    const files = import.meta.glob<{ name: string }>('../profiles/*.json', {
      eager: true,
      import: 'default',
    });
    // (*.expected.json are their golden summaries, not profiles)
    const names = Object.entries(files)
      .filter(([file]) => !file.endsWith('.expected.json'))
      .map(([, p]) => p.name);
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) {
      expect(cjk.test(profileName('zh', name)), name).toBe(true);
      expect(profileName('en', name)).toBe(name);
    }
    expect(profileName('zh', 'my own plan')).toBe('my own plan');
  });
});
