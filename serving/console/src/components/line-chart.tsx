import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  /** Points only (calibration bins), no line. */
  points?: boolean;
  dash?: number[];
}

/**
 * A uPlot line chart sized to its container (redrawn on resize). `x` ascending. The caption and the
 * aria-label carry the gist for readers who cannot see the canvas.
 */
export function LineChart({ x, series, xLabel, yLabel, summary, height = 260, time = false, yRange, xRange }: {
  x: number[]; series: ChartSeries[]; xLabel: string; yLabel: string; summary: string; height?: number; time?: boolean;
  yRange?: [number, number]; xRange?: [number, number];
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const width = () => Math.max(240, Math.floor(el.clientWidth));
    const plot = new uPlot({
      width: width(),
      height,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time, ...(xRange ? { range: xRange } : {}) },
        y: yRange ? { range: yRange } : {},
      },
      axes: [
        { label: xLabel, stroke: '#333', grid: { stroke: '#e3e3e3' } },
        { label: yLabel, stroke: '#333', grid: { stroke: '#e3e3e3' } },
      ],
      series: [
        { label: xLabel },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          ...(s.dash ? { dash: s.dash } : {}),
          ...(s.points ? { paths: () => null, points: { show: true, size: 8, fill: s.color } } : { points: { show: s.values.length <= 40, size: 6, fill: s.color } }),
        })),
      ],
    }, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: width(), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [x, series, xLabel, yLabel, height, time, JSON.stringify(yRange), JSON.stringify(xRange)]);
  return (
    <figure class="chart">
      <div ref={ref} role="img" aria-label={summary} />
      <figcaption>{summary}</figcaption>
    </figure>
  );
}
