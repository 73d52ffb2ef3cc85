// Completion from the scenario's JSON Schema, at the places a planner types: a new field of
// `async` (the ones it lacks, required first), the values of `workload.type` and of a
// distribution's `dist`, the fields of an `exp` distribution only, and a step in `handler`.
import { describe, expect, it } from 'vitest';
import { EditorState } from '@codemirror/state';
import { CompletionContext, type Completion } from '@codemirror/autocomplete';
import { EditorView } from '@codemirror/view';
import { placeAt, scenarioCompletion, scenarioSchema, suggestionsAt } from './schemaComplete';

/** Suggestions at the `|` in `text`. */
const at = (text: string) => {
  const place = placeAt(text.slice(0, text.indexOf('|')));
  return place ? suggestionsAt(scenarioSchema(), place) : [];
};
const labels = (text: string) => at(text).map((s) => s.label);

describe('completion from the scenario schema', () => {
  it('offers the fields an object lacks, required ones first, with their type', () => {
    const s = at('{ "async": { "queue_capacity": 100, |');
    expect(s.map((x) => x.label).sort()).toEqual(['steps', 'when_full', 'workers']);
    expect(s.find((x) => x.label === 'workers')).toMatchObject({
      detail: 'integer ≥ 1 · required',
      boost: 1,
      insert: '"workers": ',
    });
  });

  it('offers the allowed words at a value', () => {
    expect(labels('{ "workload": { "type": |')).toEqual(['"open"', '"closed"', '"trace"']);
    expect(labels('{ "handler": [ { "cpu": { "dist": |')).toEqual([
      '"exp"',
      '"const"',
      '"uniform"',
      '"lognormal"',
      '"erlang"',
      '"gamma"',
      '"empirical"',
    ]);
  });

  it('offers the fields of the distribution that is written, and of the workload type', () => {
    expect(labels('{ "handler": [ { "cpu": { "dist": "exp", |')).toEqual(['mean_ms']);
    expect(labels('{ "workload": { "type": "closed", |').sort()).toEqual([
      'connections',
      'think',
      'think_ms',
      'timeout_ms',
    ]);
  });

  it('offers a template of each step kind in a list of steps', () => {
    expect(labels('{ "handler": [ { "cpu": { "dist": "exp", "mean_ms": 1 } }, |')).toEqual([
      '{ "cpu": {} }',
      '{ "cache": {} }',
      '{ "db": {} }',
      '{ "call": {} }',
      '{ "lock": {} }',
      '{ "transaction": {} }',
      '{ "enqueue": {} }',
    ]);
  });

  it('completes a half-typed key in quotes in the editor, the quote it closed by itself included', () => {
    const doc = '{ "server": { "conc" } }';
    const pos = doc.indexOf('conc') + 4;
    const view = new EditorView({ state: EditorState.create({ doc, selection: { anchor: pos } }) });
    try {
      const r = scenarioCompletion(new CompletionContext(view.state, pos, false))!;
      expect(r.from).toBe(doc.indexOf('conc'));
      const c = r.options.find((o) => o.label === 'concurrency')!;
      (c.apply as (v: EditorView, c: Completion, from: number, to: number) => void)(
        view,
        c,
        r.from,
        pos,
      );
      expect(view.state.doc.toString()).toBe('{ "server": { "concurrency":  } }');
      expect(view.state.selection.main.head).toBe(doc.indexOf('conc') + 'concurrency": '.length);
    } finally {
      view.destroy();
    }
  });
});
