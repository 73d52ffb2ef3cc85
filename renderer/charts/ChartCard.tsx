// A titled card around one chart: measures its width for the chart, and offers PNG export of
// the chart's SVG, titled with the scenario's name and the chart's, and what its axes measure.
import { useRef, useState, type ReactNode } from 'react';
import { useApp } from '../store';
import { selectShown, selectTheme } from '../store/selectors';
import { palettes } from '../ui/palette';
import { useApi, useT, useWidth } from '../ui/hooks';
import { fileSafe, saveExport, svgToPng } from '../export';

export interface ChartCardProps {
  title: string;
  /** Renders the chart at the measured width. */
  children: (width: number) => ReactNode;
  className?: string;
  /** What the axes measure, in which units: the exported image's second line. */
  units?: string;
  /** The scenario named in the exported image (default: the result on screen's). */
  scenario?: string;
}

/** Card with a title, a PNG export button and the chart. */
export function ChartCard({ title, children, className, units, scenario }: ChartCardProps) {
  const t = useT();
  const api = useApi();
  const theme = useApp(selectTheme);
  const shownName = useApp((s) => selectShown(s).result?.scenario ?? s.scenario.name);
  const scenarioName = scenario ?? shownName;
  const body = useRef<HTMLDivElement>(null);
  const width = useWidth(body, 560);
  const [err, setErr] = useState<string | null>(null);
  const exportPng = async () => {
    // The chart's own surface: the largest SVG in the card (legend icons are small SVGs too).
    let svg: SVGSVGElement | null = null;
    let best = 0;
    for (const el of body.current?.querySelectorAll<SVGSVGElement>('svg') ?? []) {
      if (el.closest('.recharts-legend-wrapper')) continue;
      const r = el.getBoundingClientRect();
      const area =
        (r.width || Number(el.getAttribute('width'))) *
        (r.height || Number(el.getAttribute('height')));
      if (area > best) {
        best = area;
        svg = el;
      }
    }
    if (!svg) return;
    try {
      // Recharts draws the legend as HTML; carry its entries over into the image.
      const legend = [...(body.current?.querySelectorAll('.recharts-legend-item') ?? [])].map(
        (el) => ({
          name: el.textContent?.trim() ?? '',
          color: el.querySelector('path')?.getAttribute('stroke') ?? palettes[theme].fg,
        }),
      );
      const heading = scenarioName
        ? t('exportTitle', { scenario: scenarioName, chart: title })
        : title;
      const png = await svgToPng(
        svg,
        palettes[theme].bg,
        2,
        { text: heading, color: palettes[theme].fg, sub: units, subColor: palettes[theme].muted },
        legend,
      );
      const file = scenarioName ? `${fileSafe(scenarioName)}-${fileSafe(title)}` : fileSafe(title);
      await saveExport(api, 'png', `${file}.png`, png, 'image/png');
      setErr(null);
    } catch (e) {
      setErr(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <figure className={`chart-card ${className ?? ''}`} aria-label={title}>
      <figcaption>
        <span>{title}</span>
        <button
          type="button"
          className="small"
          aria-label={t('exportPngOf', { title })}
          onClick={() => void exportPng()}
        >
          {t('exportPng')}
        </button>
      </figcaption>
      <div ref={body} className="chart-body">
        {children(Math.max(200, width))}
      </div>
      {err ? (
        <p role="alert" className="error">
          {err}
        </p>
      ) : null}
    </figure>
  );
}
