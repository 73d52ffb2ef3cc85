// Concrete chart colours per theme (charts are exported as PNG, so no CSS variables inside SVG).
import type { Theme } from '../store/types';

export interface Palette {
  bg: string;
  fg: string;
  grid: string;
  muted: string;
  p50: string;
  p99: string;
  ok: string;
  error: string;
  backlog: string;
  async: string;
  blocked: string;
  bar: string;
  saturated: string;
  theory: string;
  slo: string;
  /** Lines of the live charts, in order. */
  series: string[];
  /** The twin's simulated band over a live chart. */
  twin: string;
}

export const palettes: Record<Theme, Palette> = {
  light: {
    bg: '#ffffff',
    fg: '#1b2430',
    grid: '#e3e7ee',
    muted: '#5d6b7e',
    p50: '#2b7bd6',
    p99: '#d6492b',
    ok: '#1f9d55',
    error: '#d62b5e',
    backlog: '#7b4bd6',
    async: '#d6952b',
    blocked: '#5d6b7e',
    bar: '#2b7bd6',
    saturated: '#d62b2b',
    theory: '#1b2430',
    slo: '#d62b2b',
    series: ['#2b7bd6', '#d6952b', '#1f9d55', '#7b4bd6', '#d62b5e'],
    twin: '#7b4bd6',
  },
  dark: {
    bg: '#151b24',
    fg: '#e6edf5',
    grid: '#2a3442',
    muted: '#9aa8ba',
    p50: '#5ea8ff',
    p99: '#ff7a59',
    ok: '#4cd38a',
    error: '#ff5c8a',
    backlog: '#b18cff',
    async: '#ffc15e',
    blocked: '#9aa8ba',
    bar: '#5ea8ff',
    saturated: '#ff5c5c',
    theory: '#e6edf5',
    slo: '#ff5c5c',
    series: ['#5ea8ff', '#ffc15e', '#4cd38a', '#b18cff', '#ff5c8a'],
    twin: '#b18cff',
  },
};

/** Colour of a utilisation level: green, amber, red (grey when absent). */
export function utilColour(u: number | null, theme: Theme): string {
  if (u === null) return theme === 'dark' ? '#3a4656' : '#d5dbe4';
  if (u >= 0.9) return theme === 'dark' ? '#b03a3a' : '#f2a7a7';
  if (u >= 0.7) return theme === 'dark' ? '#a0762a' : '#f5d28f';
  return theme === 'dark' ? '#2d7a4f' : '#a9e2bf';
}
