// Exports: chart PNG (the chart's SVG drawn onto a canvas), results CSV/JSON and the scenario
// file. Through the API's `export:save` (a save dialog on the desktop); where it answers
// "download" (the web shell) or there is no API, the browser downloads a Blob.
import type { PeaklineApi } from './api/types';

type Kind = 'png' | 'csv' | 'json' | 'scenario';

/** Starts a browser download of `blob` named `name`. */
export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function base64OfBytes(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Saves text or a blob through the API when it can, else downloads it. */
export async function saveExport(
  api: PeaklineApi | null,
  kind: Kind,
  name: string,
  data: string | Blob,
  mime: string,
): Promise<void> {
  const blob = typeof data === 'string' ? new Blob([data], { type: mime }) : data;
  if (api) {
    try {
      const payload =
        typeof data === 'string'
          ? { data, encoding: 'utf8' as const }
          : {
              data: base64OfBytes(new Uint8Array(await data.arrayBuffer())),
              encoding: 'base64' as const,
            };
      const reply = await api.saveExport({ kind, suggestedName: name, ...payload });
      if (!reply.download) return;
    } catch {
      // The shell could not save it; fall back to a download so nothing is lost.
    }
  }
  downloadBlob(name, blob);
}

/** A PNG's heading: a title (wrapped to the image's width) and an optional units line. */
export interface PngHeading {
  text: string;
  color: string;
  /** A second, smaller line under the title: what the axes measure and in which units. */
  sub?: string;
  subColor?: string;
}

/** Splits `text` into lines no wider than `max` by `measure`: at the last space that fits, or
 * between any two characters where there is none (Chinese, a long name). */
export function wrapText(measure: (s: string) => number, text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const ch of text) {
    if (line !== '' && measure(line + ch) > max) {
      const sp = line.lastIndexOf(' ');
      if (sp > 0 && ch !== ' ') {
        lines.push(line.slice(0, sp));
        line = line.slice(sp + 1) + ch;
      } else {
        lines.push(line.trimEnd());
        line = ch === ' ' ? '' : ch;
      }
    } else line += ch;
  }
  if (line.trim() !== '') lines.push(line.trimEnd());
  return lines;
}

/** Renders an SVG element to a PNG blob at `scale`, on a solid `background`, with `title` (in
 * `color`, and its units line under it) above the chart when given. */
export async function svgToPng(
  svg: SVGSVGElement,
  background: string,
  scale = 2,
  title?: PngHeading,
  legend: { name: string; color: string }[] = [],
): Promise<Blob> {
  const { width, height } = svg.getBoundingClientRect();
  const w = Math.max(1, Math.round(width || Number(svg.getAttribute('width')) || 600));
  const h = Math.max(1, Math.round(height || Number(svg.getAttribute('height')) || 300));
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(w));
  clone.setAttribute('height', String(h));
  // Outside the page the SVG's text would fall back to a serif font.
  clone.setAttribute(
    'font-family',
    'system-ui, -apple-system, "Segoe UI", "Noto Sans", sans-serif',
  );
  const text = new XMLSerializer().serializeToString(clone);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the chart could not be drawn as an image'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas available');
    const titleFont = '600 15px system-ui, sans-serif';
    const subFont = '12px system-ui, sans-serif';
    ctx.font = titleFont;
    const titleLines = title ? wrapText((s) => ctx.measureText(s).width, title.text, w - 16) : [];
    ctx.font = subFont;
    const subLines = title?.sub ? wrapText((s) => ctx.measureText(s).width, title.sub, w - 16) : [];
    const top = title ? 8 + titleLines.length * 20 + subLines.length * 16 + 6 : 0;
    const bottom = legend.length > 0 ? 24 : 0;
    canvas.width = w * scale;
    canvas.height = (h + top + bottom) * scale;
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.scale(scale, scale);
    if (title) {
      let y = 8;
      ctx.fillStyle = title.color;
      ctx.font = titleFont;
      for (const line of titleLines) ctx.fillText(line, 8, (y += 20) - 5);
      ctx.fillStyle = title.subColor ?? title.color;
      ctx.font = subFont;
      for (const line of subLines) ctx.fillText(line, 8, (y += 16) - 4);
    }
    ctx.drawImage(img, 0, top, w, h);
    ctx.font = '13px system-ui, sans-serif';
    let x = 12;
    for (const item of legend) {
      ctx.fillStyle = item.color;
      ctx.fillRect(x, top + h + 8, 14, 4);
      ctx.fillText(item.name, x + 20, top + h + 14);
      x += 34 + ctx.measureText(item.name).width;
    }
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob(
        (b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))),
        'image/png',
      ),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A file-name-safe version of `s`. */
export function fileSafe(s: string): string {
  return (
    s
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'peakline'
  );
}
