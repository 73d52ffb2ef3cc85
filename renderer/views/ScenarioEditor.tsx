// The scenario as JSON, in a CodeMirror 6 editor beside the controls: completion from the
// scenario's JSON Schema (Ctrl+Space), each validator problem marked at its line and column (and
// listed above the text, each a link to its place), Apply (Ctrl+Enter) when the draft validates.
// The text being edited is a draft in the store (editor slice): it survives a tab switch and, by
// the autosave, a reload; a change made outside the editor (a slider) is put into it or, where it
// clashes with the draft, the editor asks which version stands (editor/draft.ts).
import { useEffect, useId, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Annotation, Compartment, EditorState } from '@codemirror/state';
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { json } from '@codemirror/lang-json';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from '@codemirror/autocomplete';
import { classHighlighter } from '@lezer/highlight';
import { parseScenarioText, type Problem } from '../../sim-core/validate';
import { appStore, useApp } from '../store';
import { useT } from '../ui/hooks';
import { describeChanges, scenarioText } from '../editor/draft';
import { jsonSpans, lineColumnOf, problemRange } from '../editor/jsonSpans';
import { scenarioCompletion } from '../editor/schemaComplete';

/** Marks a change of the editor's text that comes from the store (not typed). */
const fromStore = Annotation.define<boolean>();

/** A validator problem with where it is in the text. */
interface Located extends Problem {
  from: number;
  to: number;
  line: number;
  column: number;
}

/** The problems of `text`, each located (see editor/jsonSpans). */
export function locateProblems(text: string): Located[] {
  const check = parseScenarioText(text, 'scenario');
  if (check.ok) return [];
  const spans = jsonSpans(text);
  return check.problems.map((p) => {
    const r = problemRange(text, spans, p.path, p.message);
    return { ...p, ...r, ...lineColumnOf(text, r.from) };
  });
}

/** The smallest change turning `a` into `b` (so the cursor stays where it is). */
function minimalChange(a: string, b: string): { from: number; to: number; insert: string } {
  let start = 0;
  const n = Math.min(a.length, b.length);
  while (start < n && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return { from: start, to: endA, insert: b.slice(start, endB) };
}

const editorTheme = EditorView.theme({
  '&': { height: '100%', fontSize: '12.5px', backgroundColor: 'var(--panel)', color: 'var(--fg)' },
  '.cm-scroller': {
    fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace",
    overflow: 'auto',
  },
  '.cm-gutters': {
    backgroundColor: 'var(--bg)',
    color: 'var(--muted)',
    borderRight: '1px solid var(--border)',
  },
  '.cm-activeLine, .cm-activeLineGutter': {
    backgroundColor: 'color-mix(in srgb, var(--accent) 8%, transparent)',
  },
  '&.cm-focused': { outline: '2px solid var(--focus)' },
  '.cm-cursor': { borderLeftColor: 'var(--fg)' },
  '.cm-tooltip': {
    backgroundColor: 'var(--panel)',
    color: 'var(--fg)',
    border: '1px solid var(--border)',
  },
});

/** The JSON editor of the edited scenario (see the module comment). */
export function ScenarioEditor() {
  const t = useT();
  const id = useId();
  const { draft, note, scenario } = useApp(
    useShallow((s) => ({ draft: s.draft, note: s.draftNote, scenario: s.scenario })),
  );
  const shown = useMemo(() => scenarioText(scenario), [scenario]);
  const text = draft?.text ?? shown;
  const dirty = draft !== null;
  const problems = useMemo(() => locateProblems(text), [text]);
  const conflict = note?.kind === 'conflict';
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const label = useRef(new Compartment());
  const ariaLabel = t('advancedEditor');

  // the editor itself, made once; typing goes to the store as the draft
  useEffect(() => {
    const st = appStore.getState();
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: st.draft?.text ?? scenarioText(st.scenario),
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightActiveLine(),
          drawSelection(),
          history(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          json(),
          syntaxHighlighting(classHighlighter),
          autocompletion({ override: [scenarioCompletion], icons: false }),
          lintGutter(),
          keymap.of([
            {
              key: 'Mod-Enter',
              run: () => {
                appStore.getState().applyDraft();
                return true;
              },
            },
            ...closeBracketsKeymap,
            ...completionKeymap,
            ...defaultKeymap,
            ...historyKeymap,
            indentWithTab,
          ]),
          label.current.of(EditorView.contentAttributes.of({ 'aria-label': ariaLabel })),
          EditorView.updateListener.of((u) => {
            if (!u.docChanged || u.transactions.some((tr) => tr.annotation(fromStore))) return;
            appStore.getState().editDraft(u.state.doc.toString());
          }),
          editorTheme,
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // made once; the label, text and diagnostics follow in the effects below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    view.current?.dispatch({
      effects: label.current.reconfigure(
        EditorView.contentAttributes.of({ 'aria-label': ariaLabel }),
      ),
    });
  }, [ariaLabel]);

  // the store's text (a slider merged into the draft, Apply, Discard, undo) into the editor
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const now = v.state.doc.toString();
    if (now !== text)
      v.dispatch({ changes: minimalChange(now, text), annotations: fromStore.of(true) });
  }, [text]);

  // each problem marked at its place
  useEffect(() => {
    const v = view.current;
    if (!v || v.state.doc.toString() !== text) return;
    const diagnostics: Diagnostic[] = problems.map((p) => ({
      from: p.from,
      to: p.to,
      severity: 'error',
      message: p.path ? `${p.path}: ${p.message}` : p.message,
    }));
    v.dispatch(setDiagnostics(v.state, diagnostics));
  }, [problems, text]);

  const goTo = (p: Located) => {
    const v = view.current;
    if (!v) return;
    v.dispatch({ selection: { anchor: p.from, head: p.to }, scrollIntoView: true });
    v.focus();
  };
  const st = appStore.getState;
  const jsonBroken = problems.length === 1 && problems[0].message.startsWith('malformed JSON');
  const changes = note ? describeChanges(note.changes) : '';

  return (
    <section className="panel advanced editor-panel" aria-labelledby={`${id}-title`}>
      <div className="editor-head">
        <h2 id={`${id}-title`}>{t('advancedEditor')}</h2>
        <span className={`editor-status ${problems.length ? 'bad' : 'good'}`}>
          {problems.length === 0
            ? t('valid')
            : jsonBroken
              ? t('invalidJson')
              : problems.length === 1
                ? t('problemOne')
                : t('problemCount', { n: problems.length })}
        </span>
        <div className="row">
          <button
            type="button"
            disabled={!dirty || problems.length > 0 || conflict}
            title={conflict ? t('chooseFirst') : undefined}
            aria-keyshortcuts="Control+Enter"
            onClick={() => st().applyDraft()}
          >
            {t('apply')}
          </button>
          <button type="button" disabled={!dirty} onClick={() => st().discardDraft()}>
            {t('discardDraft')}
          </button>
          <button
            type="button"
            className="small"
            aria-label={t('closeEditor')}
            title={t('closeEditor')}
            onClick={() => st().setEditorOpen(false)}
          >
            ×
          </button>
        </div>
      </div>
      {note?.kind === 'conflict' ? (
        <div className="draft-note draft-conflict" role="alert">
          <span>
            {note.why === 'loaded'
              ? t('draftConflictLoaded', { name: note.name })
              : t(note.why === 'json' ? 'draftConflictJson' : 'draftConflict', { changes })}
          </span>
          <div className="row">
            <button type="button" onClick={() => st().discardDraft()}>
              {t('takeConsole')}
            </button>
            <button type="button" onClick={() => st().keepDraft()}>
              {t('keepDraft')}
            </button>
          </div>
        </div>
      ) : note?.kind === 'merged' ? (
        <div className="draft-note draft-merged" role="status">
          <span>{t('draftMerged', { changes })}</span>
          <button
            type="button"
            className="small"
            aria-label={t('close')}
            onClick={() => st().dismissDraftNote()}
          >
            ×
          </button>
        </div>
      ) : null}
      <div id={`${id}-msgs`} role="alert" aria-live="polite" className="editor-problems">
        {problems.length > 0 ? (
          <>
            <strong>{jsonBroken ? t('invalidJson') : t('invalidScenario')}</strong>
            <ul>
              {problems.map((p, i) => (
                <li key={i}>
                  <button
                    type="button"
                    className="linklike"
                    title={t('goToProblem', { line: p.line })}
                    onClick={() => goTo(p)}
                  >
                    {t('problemAt', { line: p.line, column: p.column })}
                  </button>{' '}
                  {p.path ? <code>{p.path}</code> : null}
                  {p.path ? ': ' : ''}
                  {p.message}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
      <div className="editor-host" ref={host} />
      <p className="muted editor-foot">
        {dirty ? t('draftKept') : t('noDraft')} {t('editorHint')}
      </p>
    </section>
  );
}
