// What the schema allows at a place, read from its JSON Schema: the fields of objects reached
// through records, discriminated unions, the recursive step list and a query split, and the step
// kinds wherever a step stands.
import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../schema';
import { allowedKeys, oneKeyKinds } from './allowed-keys';

const data = {
  hosts: { db: { cores: 2, usl: { sigma: 0 } } },
  workload: { type: 'closed', connections: 2, think: { dist: 'gamma' } },
  handler: [
    {
      lock: { steps: [{ transaction: { steps: [{ db: { query: { cpu: { dist: 'exp' } } } }] } }] },
    },
  ],
};
const tx = ['handler', 0, 'lock', 'steps', 0, 'transaction'];
const STEP_KINDS = ['cpu', 'cache', 'db', 'call', 'lock', 'transaction', 'enqueue'];

describe('allowed fields', () => {
  it('at the top, in the schema order', () => {
    expect(allowedKeys(ScenarioSchema, data, [])).toEqual(Object.keys(ScenarioSchema.shape));
    expect(allowedKeys(ScenarioSchema, data, []).slice(0, 3)).toEqual(['schema', 'name', 'notes']);
  });

  it('in a record entry and below it', () => {
    expect(allowedKeys(ScenarioSchema, data, ['hosts', 'db'])).toEqual([
      'cores',
      'usl',
      'background',
      'core_speedup',
      'wake',
      'cold_start_ms',
      'client',
    ]);
    expect(allowedKeys(ScenarioSchema, data, ['hosts', 'db', 'usl'])).toEqual([
      'sigma',
      'kappa',
      'n',
    ]);
    expect(allowedKeys(ScenarioSchema, data, ['services'])).toEqual([]);
  });

  it('in the form a discriminated union takes by its tag', () => {
    expect(allowedKeys(ScenarioSchema, data, ['workload'])).toEqual([
      'type',
      'connections',
      'think_ms',
      'think',
      'timeout_ms',
    ]);
    expect(allowedKeys(ScenarioSchema, data, ['workload', 'think'])).toEqual([
      'dist',
      'mean_ms',
      'cv',
    ]);
  });

  it('in steps nested in steps, and in a query split into cpu and wait', () => {
    expect(allowedKeys(ScenarioSchema, data, ['handler', 0, 'lock'])).toEqual([
      'key',
      'overhead',
      'timeout_ms',
      'order',
      'steps',
    ]);
    expect(allowedKeys(ScenarioSchema, data, tx)).toEqual(['key', 'steps']);
    const query = [...tx, 'steps', 0, 'db', 'query'];
    expect(allowedKeys(ScenarioSchema, data, query)).toEqual(['cpu', 'wait']);
    expect(allowedKeys(ScenarioSchema, data, [...query, 'cpu'])).toEqual(['dist', 'mean_ms']);
  });
});

describe('one-key kinds', () => {
  it('are the step kinds wherever a step stands, also where the data has none', () => {
    expect(oneKeyKinds(ScenarioSchema, data, ['handler', 0])).toEqual(STEP_KINDS);
    expect(oneKeyKinds(ScenarioSchema, data, [...tx, 'steps', 0])).toEqual(STEP_KINDS);
    expect(oneKeyKinds(ScenarioSchema, data, ['async', 'steps', 3])).toEqual(STEP_KINDS);
  });

  it('are none for a union of other forms, or for what is no union', () => {
    expect(oneKeyKinds(ScenarioSchema, data, ['workload'])).toBeNull();
    expect(oneKeyKinds(ScenarioSchema, data, ['server'])).toBeNull();
    expect(oneKeyKinds(ScenarioSchema, data, [])).toBeNull();
  });
});
