// Default ranges for a field chosen in the Sweep or Plan view: from the control's minimum over
// about a tenth of its span, on the control's own grid — so a count (workers, instances, shards)
// gets whole numbers, never 20.9 workers.
import type { ControlDef } from './controls';

const onGrid = (x: number, step: number) => Number((Math.round(x / step) * step).toPrecision(12));

/** `{from, to, step}` for a newly chosen field. */
export function defaultRange(def: ControlDef): { from: number; to: number; step: number } {
  const span = def.max - def.min;
  const step = onGrid(def.step * Math.max(1, Math.round(span / def.step / 100)), def.step);
  const to = Math.min(def.max, def.min + onGrid(Math.max(def.step * 10, span / 10), step));
  return { from: def.min, to, step };
}

/** Whether a control takes whole numbers only. */
export const isInteger = (def: ControlDef): boolean => Number.isInteger(def.step);
