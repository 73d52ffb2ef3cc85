// Remembers the window's size and position between runs (a small JSON file in the user data
// folder, written atomically) and puts a remembered window back where it can be seen when the
// displays changed since.
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../write-file-atomic';

export const WindowStateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(400).max(20000),
  height: z.number().int().min(300).max(20000),
  maximized: z.boolean().default(false),
  fullscreen: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowStateSchema>;

export const DEFAULT_WINDOW_STATE: WindowState = {
  width: 1440,
  height: 900,
  maximized: false,
  fullscreen: false,
};

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Reads the remembered state; a missing or damaged file gives the default. */
export async function loadWindowState(file: string): Promise<WindowState> {
  try {
    const r = WindowStateSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
    return r.success ? r.data : { ...DEFAULT_WINDOW_STATE };
  } catch {
    return { ...DEFAULT_WINDOW_STATE };
  }
}

/** Writes the state (atomically). */
export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(WindowStateSchema.parse(state))}\n`);
}

/**
 * Fits a remembered state to the displays' work areas: the size shrinks to the largest area; a
 * position whose title bar (top 48 px, at least 96 px wide) is on no display is dropped, so the
 * window is centred instead of opening off screen.
 */
export function fitToDisplays(state: WindowState, areas: readonly Area[]): WindowState {
  if (areas.length === 0) return state;
  const maxW = Math.max(...areas.map((a) => a.width));
  const maxH = Math.max(...areas.map((a) => a.height));
  const out: WindowState = {
    ...state,
    width: Math.min(state.width, maxW),
    height: Math.min(state.height, maxH),
  };
  if (out.x === undefined || out.y === undefined) return out;
  const bar = { x: out.x, y: out.y, width: out.width, height: 48 };
  const visible = areas.some((a) => {
    const w = Math.min(bar.x + bar.width, a.x + a.width) - Math.max(bar.x, a.x);
    const h = Math.min(bar.y + bar.height, a.y + a.height) - Math.max(bar.y, a.y);
    return w >= 96 && h >= 24;
  });
  if (!visible) {
    delete out.x;
    delete out.y;
  }
  return out;
}
