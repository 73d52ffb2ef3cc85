// One scenario control: a labelled range slider with a number field beside it ("Workers" and
// "Workers value"); disabled with the reason as a tooltip when it does not apply.
import { memo, useId, useState } from 'react';

export interface ControlSliderProps {
  label: string;
  valueLabel: string;
  value: number | null;
  min: number;
  max: number;
  step: number;
  /** Why it is disabled (shown as tooltip and described to screen readers). */
  disabledReason?: string;
  onChange: (v: number) => void;
  format?: (v: number) => string;
}

/** A slider + number field pair for one scenario value. */
export const ControlSlider = memo(function ControlSlider(props: ControlSliderProps) {
  const { label, valueLabel, value, min, max, step, disabledReason, onChange } = props;
  const id = useId();
  const disabled = value === null;
  const v = value ?? min;
  // The slider's range grows to include values typed beyond it.
  const hi = Math.max(max, v);
  const [draft, setDraft] = useState<string | null>(null);
  return (
    <div
      className={`control${disabled ? ' disabled' : ''}`}
      title={disabled ? disabledReason : undefined}
    >
      <label htmlFor={`${id}-r`}>{label}</label>
      <div className="control-row">
        <input
          id={`${id}-r`}
          type="range"
          min={min}
          max={hi}
          step={step}
          value={v}
          disabled={disabled}
          aria-describedby={disabled ? `${id}-why` : undefined}
          onChange={(e) => onChange(Number(e.currentTarget.value))}
        />
        <input
          type="number"
          aria-label={valueLabel}
          min={min}
          step={step}
          disabled={disabled}
          value={draft ?? (disabled ? '' : String(v))}
          onChange={(e) => {
            const text = e.currentTarget.value;
            setDraft(text);
            const n = Number(text);
            if (text.trim() !== '' && Number.isFinite(n) && n >= min) onChange(n);
          }}
          onBlur={() => setDraft(null)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') setDraft(null);
          }}
        />
      </div>
      {disabled && disabledReason ? (
        <span id={`${id}-why`} className="control-why">
          {disabledReason}
        </span>
      ) : null}
    </div>
  );
});
