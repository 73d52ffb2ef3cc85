// The Help dialog: keyboard shortcuts.
import { useEffect, useRef } from 'react';
import { useT } from '../ui/hooks';
import type { MessageKey } from '../i18n';

const SHORTCUTS: [string, MessageKey][] = [
  ['Ctrl+Z', 'kUndo'],
  ['Ctrl+Shift+Z / Ctrl+Y', 'kRedo'],
  ['P', 'kPresent'],
  ['← →', 'kArrows'],
  ['Esc', 'kEsc'],
  ['← → ↑ ↓ · PgUp PgDn · Home End', 'kSlider'],
  ['?', 'kHelp'],
];

/** Modal dialog listing the shortcuts; Esc or Close leaves. */
export function Help({ onClose }: { onClose: () => void }) {
  const t = useT();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
    }
  }, []);
  return (
    <dialog
      ref={ref}
      className="help"
      aria-labelledby="help-title"
      onClose={onClose}
      onCancel={onClose}
    >
      <h2 id="help-title">{t('shortcuts')}</h2>
      <table>
        <tbody>
          {SHORTCUTS.map(([k, m]) => (
            <tr key={m}>
              <th scope="row">
                <kbd>{k}</kbd>
              </th>
              <td>{t(m)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={onClose} autoFocus>
        {t('close')}
      </button>
    </dialog>
  );
}
