// Global keyboard shortcuts: undo/redo (not while typing in a text field, which has its own),
// presentation mode (P; ←/→ step through snapshots; Esc leaves) and Help (?).
import type { StoreApi } from 'zustand/vanilla';
import type { AppState } from '../store/types';

/** Whether the event comes from a field where typing keys mean text. */
function inTextField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  if (el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  if (el.tagName === 'INPUT') {
    const type = (el as HTMLInputElement).type;
    return !['range', 'checkbox', 'radio', 'button', 'submit'].includes(type);
  }
  return false;
}

/** Handles one keydown; returns true when it acted (and prevented the default). */
export function handleShortcut(
  e: KeyboardEvent,
  store: StoreApi<AppState>,
  onPresent: (on: boolean) => void,
): boolean {
  const st = store.getState();
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if (mod && !e.altKey && key === 'z' && !inTextField(e.target)) {
    if (e.shiftKey) st.redo();
    else st.undo();
    e.preventDefault();
    return true;
  }
  if (mod && !e.altKey && key === 'y' && !inTextField(e.target)) {
    st.redo();
    e.preventDefault();
    return true;
  }
  if (st.presenting) {
    if (e.key === 'ArrowRight' || e.key === 'PageDown' || e.key === ' ') {
      st.stepPresentation(1);
      e.preventDefault();
      return true;
    }
    if (e.key === 'ArrowLeft' || e.key === 'PageUp') {
      st.stepPresentation(-1);
      e.preventDefault();
      return true;
    }
    if (e.key === 'Escape') {
      onPresent(false);
      e.preventDefault();
      return true;
    }
  }
  if (mod || e.altKey || inTextField(e.target)) return false;
  if (key === 'p' && !e.shiftKey) {
    onPresent(!st.presenting);
    e.preventDefault();
    return true;
  }
  if (e.key === '?') {
    st.setHelpOpen(true);
    e.preventDefault();
    return true;
  }
  return false;
}
