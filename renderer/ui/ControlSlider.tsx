// One scenario control: a labelled range slider with a number field beside it ("Workers" and
// "Workers value"); disabled with the reason as a tooltip when it does not apply. The number field
// says why it does not take what was typed (not a number, not whole, too small) instead of quietly
// going back, and a value past the slider's range is taken only with a line saying so.
import { memo, useId, useState } from 'react';

/** What the number field makes of its text: the value to take, or why it is not taken. */
export type FieldVerdict = { value: number } | { error: string };

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
  /** Checks the number field's text (default: any number ≥ min). */
  check?: (text: string) => FieldVerdict;
  /** The line shown while the value lies past the slider's range (null: none). */
  beyond?: string | null;
  /** The line shown after leaving the field with text it did not take: `why` and what stays. */
  notApplied?: (why: string) => string;
}

const defaultCheck =
  (min: number) =>
  (text: string): FieldVerdict => {
    const n = Number(text);
    return text.trim() !== '' && Number.isFinite(n) && n >= min
      ? { value: n }
      : { error: `must be a number >= ${min}` };
  };

/** A slider + number field pair for one scenario value. */
export const ControlSlider = memo(function ControlSlider(props: ControlSliderProps) {
  const { label, valueLabel, value, min, max, step, disabledReason, onChange } = props;
  const id = useId();
  const disabled = value === null;
  const v = value ?? min;
  // The slider's range grows to include values typed beyond it.
  const hi = Math.max(max, v);
  const [draft, setDraft] = useState<string | null>(null);
  // why the text being typed is not taken, or (after leaving the field) that it was not applied
  const [why, setWhy] = useState<string | null>(null);
  const [left, setLeft] = useState(false);
  const check = props.check ?? defaultCheck(min);
  const leave = () => {
    if (why !== null) setLeft(true);
    setDraft(null);
  };
  const msgId = `${id}-msg`;
  const message = why !== null ? (left && props.notApplied ? props.notApplied(why) : why) : null;
  const beyond = !disabled && message === null ? (props.beyond ?? null) : null;
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
          aria-describedby={disabled ? `${id}-why` : beyond ? msgId : undefined}
          onChange={(e) => {
            setWhy(null);
            onChange(Number(e.currentTarget.value));
          }}
        />
        <input
          type="number"
          aria-label={valueLabel}
          min={min}
          step={step}
          disabled={disabled}
          aria-invalid={why !== null && !left}
          aria-describedby={message !== null || beyond ? msgId : undefined}
          value={draft ?? (disabled ? '' : String(v))}
          onChange={(e) => {
            const text = e.currentTarget.value;
            setDraft(text);
            setLeft(false);
            const verdict = check(text);
            if ('value' in verdict) {
              setWhy(null);
              onChange(verdict.value);
            } else setWhy(verdict.error);
          }}
          onBlur={leave}
          onKeyDown={(e) => {
            if (e.key === 'Enter') leave();
            if (e.key === 'Escape') {
              setWhy(null);
              setDraft(null);
            }
          }}
        />
      </div>
      {message !== null ? (
        <span id={msgId} role="alert" className="control-msg control-bad">
          {message}
        </span>
      ) : beyond ? (
        <span id={msgId} className="control-msg control-beyond">
          {beyond}
        </span>
      ) : null}
      {disabled && disabledReason ? (
        <span id={`${id}-why`} className="control-why">
          {disabledReason}
        </span>
      ) : null}
    </div>
  );
});
