// Scenario validation as a user meets it: each kind of mistake in a scenario file gets one line
// naming the file, the field path and what is wrong; every problem is reported at once.
import { describe, expect, it } from 'vitest';
import { formatProblems, parseScenarioText, validateScenario, type Problem } from './validate';
import { findJsonError } from './validate/json-text';
import { formatPath, getPath, parsePath, parseSetArg, setPath } from './validate/paths';
import { levenshtein, suggest } from './validate/suggest';

const good = () => ({
  schema: 'peakline.scenario/v1',
  name: 'M/M/2',
  duration_s: 10,
  workload: { type: 'open', rate_rps: 100 },
  server: { concurrency: 2 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 5 } }],
});

/** The problem lines a user would see for `obj` in file x.json. */
function linesFor(obj: unknown): string[] {
  const r = validateScenario(obj, 'x.json');
  if (r.ok) return [];
  return formatProblems('x.json', r.problems);
}

function problemsFor(obj: unknown): Problem[] {
  const r = validateScenario(obj, 'x.json');
  return r.ok ? [] : r.problems;
}

describe('a valid scenario', () => {
  it('passes and comes back with every default filled in', () => {
    const r = validateScenario(good(), 'x.json');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.server.backlog).toBe(100_000);
    expect(r.scenario.seed).toBe(1);
    expect(r.scenario.workload).toMatchObject({ arrivals: 'poisson', timeout_ms: 0 });
  });

  it('parses from text, with or without a byte-order mark', () => {
    expect(parseScenarioText(JSON.stringify(good()), 'x.json').ok).toBe(true);
    expect(parseScenarioText('\ufeff' + JSON.stringify(good(), null, 2), 'x.json').ok).toBe(true);
  });
});

describe('field values', () => {
  it('names a rate that is not positive, in the documented form', () => {
    const s = good();
    s.workload.rate_rps = 0;
    expect(linesFor(s)).toEqual(['x.json: workload.rate_rps: must be > 0 (got 0)']);
  });

  it('names a nested step field by its index in the handler', () => {
    const s = { ...good(), db: { pool_size: 4 } } as Record<string, unknown>;
    s.handler = [
      { cpu: { dist: 'exp', mean_ms: 1 } },
      { db: { query: { dist: 'exp', mean_ms: -3 } } },
    ];
    expect(linesFor(s)).toEqual(['x.json: handler[1].db.query.mean_ms: must be > 0 (got -3)']);
  });

  it('says when a number is given as text', () => {
    const s = good() as Record<string, unknown>;
    s.server = { concurrency: 'ten' };
    expect(linesFor(s)).toEqual([
      'x.json: server.concurrency: must be a number (got string "ten")',
    ]);
  });

  it('says when a count is not whole', () => {
    const s = good() as Record<string, unknown>;
    s.server = { concurrency: 2.5 };
    expect(linesFor(s)).toEqual(['x.json: server.concurrency: must be a whole number (got 2.5)']);
  });

  it('says when a required field is missing', () => {
    const s = good() as Record<string, unknown>;
    delete s.duration_s;
    s.server = {};
    expect(linesFor(s)).toEqual([
      'x.json: duration_s: is required (a number)',
      'x.json: server.concurrency: is required (a number)',
    ]);
  });

  it('says when a ratio is above 1', () => {
    const s = { ...good(), db: { pool_size: 2 } } as Record<string, unknown>;
    s.handler = [
      {
        cache: {
          hit_ratio: 1.5,
          lookup: { dist: 'const', ms: 0.2 },
          miss_query: { dist: 'exp', mean_ms: 3 },
        },
      },
    ];
    expect(linesFor(s)).toEqual(['x.json: handler[0].cache.hit_ratio: must be <= 1 (got 1.5)']);
  });

  it('names an empty handler and an empty name', () => {
    const s = { ...good(), handler: [], name: '' };
    expect(linesFor(s)).toEqual([
      'x.json: name: must not be empty (got "")',
      'x.json: handler: needs at least one step (got 0 entries)',
    ]);
  });

  it('names a wrong schema tag', () => {
    const s = { ...good(), schema: 'peakline.scenario/v9' };
    expect(linesFor(s)).toEqual([
      'x.json: schema: must be "peakline.scenario/v1" (got "peakline.scenario/v9")',
    ]);
  });

  it('says what a rate may be when it is neither a number nor a list', () => {
    const s = good() as Record<string, unknown>;
    s.workload = { type: 'open', rate_rps: 'fast' };
    expect(linesFor(s)).toEqual([
      'x.json: workload.rate_rps: must be a number or a list (got string)',
    ]);
  });

  it('checks a rate curve point by point', () => {
    const s = good() as Record<string, unknown>;
    s.workload = {
      type: 'open',
      rate_rps: [
        [0, 100],
        [0, 200],
      ],
    };
    expect(linesFor(s)).toEqual(['x.json: workload.rate_rps: times must increase']);
  });

  it('explains a lognormal given neither sigma nor p99_ms', () => {
    const s = good() as Record<string, unknown>;
    s.handler = [{ cpu: { dist: 'lognormal', mean_ms: 3 } }];
    expect(linesFor(s)).toEqual([
      'x.json: handler[0].cpu.sigma: give exactly one of sigma or p99_ms',
    ]);
  });

  it('explains a uniform whose max is below its min', () => {
    const s = good() as Record<string, unknown>;
    s.handler = [{ cpu: { dist: 'uniform', min_ms: 5, max_ms: 2 } }];
    expect(linesFor(s)).toEqual(['x.json: handler[0].cpu.max_ms: max_ms must be >= min_ms']);
  });
});

describe('choices', () => {
  it('suggests the workload type meant', () => {
    const s = good() as Record<string, unknown>;
    s.workload = { type: 'opne', rate_rps: 5 };
    expect(linesFor(s)).toEqual([
      'x.json: workload.type: must be one of "open", "closed", "trace" (got "opne") — did you mean "open"?',
    ]);
  });

  it('asks for the workload type when it is missing', () => {
    const s = good() as Record<string, unknown>;
    s.workload = { rate_rps: 5 };
    expect(linesFor(s)).toEqual([
      'x.json: workload.type: is required: one of "open", "closed", "trace"',
    ]);
  });

  it('suggests the distribution meant', () => {
    const s = good() as Record<string, unknown>;
    s.handler = [{ cpu: { dist: 'expo', mean_ms: 5 } }];
    expect(linesFor(s)[0]).toMatch(
      /^x\.json: handler\[0\]\.cpu\.dist: must be one of "exp", .*\(got "expo"\) — did you mean "exp"\?$/,
    );
  });

  it('suggests the balancer meant', () => {
    const s = { ...good(), gateway: { balancer: 'least_con' } };
    expect(linesFor(s)[0]).toMatch(/^x\.json: gateway\.balancer: .*did you mean "least_conn"\?$/);
  });
});

describe('unknown fields', () => {
  it('are errors with a suggestion from the fields allowed at that place', () => {
    const s = good() as Record<string, unknown>;
    s.server = { concurrency: 2, instancs: 3 };
    expect(linesFor(s)).toEqual([
      'x.json: server.instancs: unknown field — did you mean "instances"? (allowed here: instances, concurrency, backlog, host, autoscale)',
    ]);
  });

  it('suggest within a step, by the step kind', () => {
    const s = { ...good(), db: { pool_size: 2 } } as Record<string, unknown>;
    s.handler = [{ db: { query: { dist: 'exp', mean_ms: 2 }, kye: 'user' } }];
    expect(linesFor(s)).toEqual([
      'x.json: handler[0].db.kye: unknown field — did you mean "key"? (allowed here: query, key)',
    ]);
  });

  it('suggest inside a distribution', () => {
    const s = good() as Record<string, unknown>;
    s.handler = [{ cpu: { dist: 'exp', mean: 5 } }];
    expect(linesFor(s)).toEqual([
      'x.json: handler[0].cpu.mean_ms: is required (a number)',
      'x.json: handler[0].cpu.mean: unknown field — did you mean "mean_ms"? (allowed here: dist, mean_ms)',
    ]);
  });

  it('at the top level suggest the top-level field', () => {
    const s = { ...good(), seeed: 4 };
    expect(linesFor(s)[0]).toMatch(/^x\.json: seeed: unknown field — did you mean "seed"\?/);
  });

  it('without a near match list what is allowed and suggest nothing', () => {
    const s = { ...good(), colour: 'blue' };
    const [line] = linesFor(s);
    expect(line).toMatch(/^x\.json: colour: unknown field \(allowed here: schema, name, /);
    expect(line).not.toContain('did you mean');
  });

  it('in a step position name the step kinds', () => {
    const s = good() as Record<string, unknown>;
    s.handler = [{ cpuu: { dist: 'exp', mean_ms: 1 } }];
    expect(linesFor(s)).toEqual([
      'x.json: handler[0].cpuu: unknown step kind "cpuu" — did you mean "cpu"? (expected one of "cpu", "cache", "db", "call", "lock", "transaction", "enqueue")',
    ]);
  });

  it('a step with two kinds at once, or none, or not an object', () => {
    const s = good() as Record<string, unknown>;
    s.handler = [{ cpu: { dist: 'exp', mean_ms: 1 }, enqueue: {} }, {}, 7];
    const lines = linesFor(s);
    expect(lines[0]).toMatch(
      /^x\.json: handler\[0\]: has "cpu", "enqueue": give one kind per entry/,
    );
    expect(lines[1]).toMatch(/^x\.json: handler\[1\]: is empty: give one of "cpu", "cache"/);
    expect(lines[2]).toMatch(
      /^x\.json: handler\[2\]: must be an object with one of "cpu", .* \(got number\)$/,
    );
  });
});

describe('cross-field checks', () => {
  it('need a db section for a db step, an async section for enqueue, a named service for call', () => {
    const s = good() as Record<string, unknown>;
    s.handler = [
      { db: { query: { dist: 'exp', mean_ms: 1 } } },
      { enqueue: {} },
      { call: { service: 'push', time: { dist: 'const', ms: 3 } } },
    ];
    expect(linesFor(s)).toEqual([
      'x.json: handler[0].db: a db step needs a "db" section',
      'x.json: handler[1].enqueue: an enqueue step needs an "async" section',
      'x.json: handler[2].call.service: no service named "push" in "services"',
    ]);
  });

  it('check faults against the instances there are', () => {
    const s = {
      ...good(),
      gateway: { faults: [{ instance: 3, down_s: 5, up_s: 2 }] },
      server: { concurrency: 2, instances: 2 },
    };
    expect(linesFor(s)).toEqual([
      'x.json: gateway.faults[0].instance: must be < server.instances (2)',
      'x.json: gateway.faults[0].up_s: must be > down_s',
    ]);
  });
});

describe('every problem at once', () => {
  it('reports all of them, each with its own path', () => {
    const s = {
      ...good(),
      duration_s: -1,
      workload: { type: 'open', rate_rps: -5 },
      server: { concurrency: 0, instancs: 2 },
      extra: true,
    };
    const paths = problemsFor(s).map((p) => p.path);
    expect(paths).toEqual([
      'duration_s',
      'workload.rate_rps',
      'server.concurrency',
      'server.instancs',
      'extra',
    ]);
  });

  it('a scenario that is not an object says so', () => {
    expect(linesFor([1, 2])).toEqual(['x.json: a scenario must be a JSON object (got a list)']);
  });
});

describe('malformed JSON', () => {
  const firstLine = (text: string) => {
    const r = parseScenarioText(text, 'bad.json');
    expect(r.ok).toBe(false);
    return r.ok ? '' : formatProblems('bad.json', r.problems)[0];
  };

  it('names the line and column of a missing comma', () => {
    expect(firstLine('{\n  "name": "a"\n  "seed": 2\n}')).toBe(
      'bad.json: malformed JSON at line 3, column 3: expected "," or "}", found a double quote (a missing comma before it?)',
    );
  });

  it('names a trailing comma', () => {
    expect(firstLine('{\n  "a": [1, 2,]\n}')).toBe(
      'bad.json: malformed JSON at line 2, column 14: trailing comma before "]"',
    );
  });

  it('names single quotes, comments, truncation, garbage after the value and an empty file', () => {
    expect(firstLine("{'a': 1}")).toBe(
      'bad.json: malformed JSON at line 1, column 2: expected a field name in double quotes, found "\'"',
    );
    expect(firstLine('{\n // note\n "a": 1}')).toBe(
      'bad.json: malformed JSON at line 2, column 2: comments are not allowed in JSON',
    );
    expect(firstLine('{"a": [1, 2')).toBe(
      'bad.json: malformed JSON at line 1, column 12: expected "," or "]", found end of file',
    );
    expect(firstLine('{"a": 1} }')).toBe(
      'bad.json: malformed JSON at line 1, column 10: expected end of file after the value, found "}"',
    );
    expect(firstLine('  \n')).toBe('bad.json: the file is empty (expected JSON)');
    expect(firstLine('{"a": "line\nbreak"}')).toBe(
      'bad.json: malformed JSON at line 1, column 12: unterminated string (line break inside a string)',
    );
  });

  it('the scanner agrees with JSON.parse on valid text', () => {
    const texts = [
      '{}',
      '[]',
      '{"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"],"b":{"c":{}}}',
      ' 0 ',
    ];
    for (const t of texts) expect(findJsonError(t)).toBeNull();
  });
});

describe('setPath, for --set and the UI', () => {
  it('sets a nested value without changing the original', () => {
    const s = good();
    const t = setPath(s, 'server.concurrency', 8);
    expect(t.server.concurrency).toBe(8);
    expect(s.server.concurrency).toBe(2);
    expect(t.handler).toBe(s.handler);
  });

  it('indexes arrays with [i] or .i', () => {
    const s = good();
    expect(getPath(setPath(s, 'handler[0].cpu.mean_ms', 9), 'handler.0.cpu.mean_ms')).toBe(9);
    expect(
      getPath(setPath(s, 'handler.0.cpu', { dist: 'const', ms: 1 }), 'handler[0].cpu'),
    ).toEqual({ dist: 'const', ms: 1 });
  });

  it('creates missing objects and appends at the end of a list', () => {
    expect(setPath({}, 'db.pool_size', 4)).toEqual({ db: { pool_size: 4 } });
    expect(setPath({ a: [1] }, 'a[1]', 2)).toEqual({ a: [1, 2] });
    expect(setPath({}, 'a.0.b', 1)).toEqual({ a: [{ b: 1 }] });
  });

  it('refuses to index past the end or into a non-list', () => {
    expect(() => setPath({ a: [1] }, 'a[3]', 2)).toThrow(
      'a[3]: index out of range (the list has 1)',
    );
    expect(() => setPath({ a: 5 }, 'a.b', 2)).toThrow('a is not an object, cannot set "b"');
    expect(() => setPath({ a: { b: 1 } }, 'a[0]', 2)).toThrow('a is not a list, cannot index [0]');
  });

  it('parses --set values as JSON when they parse, else as text', () => {
    expect(parseSetArg('server.concurrency=16')).toEqual({ path: 'server.concurrency', value: 16 });
    expect(parseSetArg('workload.type=closed')).toEqual({ path: 'workload.type', value: 'closed' });
    expect(parseSetArg('workload.rate_rps=[[0,1],[5,10]]').value).toEqual([
      [0, 1],
      [5, 10],
    ]);
    expect(parseSetArg('async={"workers":3,"queue_capacity":10}').value).toEqual({
      workers: 3,
      queue_capacity: 10,
    });
    expect(() => parseSetArg('server.concurrency')).toThrow('--set needs path=value');
    expect(() => parseSetArg('=3')).toThrow('--set needs path=value');
  });

  it('round-trips paths', () => {
    expect(parsePath('handler[1].db.query.mean_ms')).toEqual([
      'handler',
      1,
      'db',
      'query',
      'mean_ms',
    ]);
    expect(formatPath(['handler', 1, 'db', 'query', 'mean_ms'])).toBe(
      'handler[1].db.query.mean_ms',
    );
    expect(formatPath(['services', 'push-svc', 'concurrency'])).toBe(
      'services["push-svc"].concurrency',
    );
    expect(parsePath('services["push-svc"].concurrency')).toEqual([
      'services',
      'push-svc',
      'concurrency',
    ]);
    expect(() => parsePath('')).toThrow('empty path');
    expect(() => parsePath('a..b')).toThrow('cannot read path');
  });
});

describe('suggestions', () => {
  it('use edit distance and stay quiet when nothing is close', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(suggest('instancs', ['instances', 'concurrency'])).toBe('instances');
    expect(suggest('zzz', ['instances', 'concurrency'])).toBeNull();
  });
});

describe('scenarios a generator or an attacker might write', () => {
  /** A handler whose one step is `depth` lock steps inside one another, as JSON text. */
  const nested = (depth: number) =>
    JSON.stringify({ ...good(), handler: [] }).replace(
      '"handler":[]',
      `"handler":[${'{"lock":{"key":"item","steps":['.repeat(depth)}{"cpu":{"dist":"const","ms":1}}${']}}'.repeat(depth)}]`,
    );

  it('10,000 nested lock steps are one problem naming where the nesting goes too deep', () => {
    const r = parseScenarioText(nested(10_000), 'deep.json');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(1);
    const [p] = r.problems;
    expect(p.path).toBe(`handler[0]${'.lock.steps[0]'.repeat(31)}.lock.steps`);
    expect(p.message).toBe(
      'nested too deep: steps may nest 32 levels (lock and transaction steps inside one another); these are level 33',
    );
  });

  it('32 levels are allowed and run', () => {
    expect(parseScenarioText(nested(31), 'ok.json').ok).toBe(true);
    expect(parseScenarioText(nested(32), 'deep.json').ok).toBe(false);
  });

  it('a number too large for a double (1e999 reads as Infinity) is said to be not finite', () => {
    const text = JSON.stringify(good())
      .replace('"duration_s":10', '"duration_s":1e999')
      .replace('"rate_rps":100', '"rate_rps":-1e999');
    const r = parseScenarioText(text, 'x.json');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(formatProblems('x.json', r.problems)).toEqual([
      'x.json: duration_s: must be a finite number (got Infinity: a number such as 1e999 is beyond the largest, about 1.8e308)',
      'x.json: workload.rate_rps: must be a finite number (got -Infinity: a number such as 1e999 is beyond the largest, about 1.8e308)',
    ]);
  });
});
