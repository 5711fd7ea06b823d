/** Line charts as standalone SVG, written by hand (no plotting dependency): linear axes, one line per series. */

export interface Series {
  name: string;
  points: [number, number][];
  /** Drawn dashed (baselines). */
  dashed?: boolean;
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** A horizontal reference line, e.g. a target. */
  reference?: { y: number; label: string };
}

const WIDTH = 640;
const HEIGHT = 400;
const MARGIN = { left: 70, right: 170, top: 40, bottom: 55 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** About five round tick values from 0 to at least `top`. */
function ticks(top: number): number[] {
  const raw = top / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((value) => value >= raw) ?? raw;
  const values: number[] = [];
  for (let value = 0; value <= top + step * 1e-9; value += step) values.push(Number(value.toPrecision(6)));
  if ((values.at(-1) ?? 0) < top) values.push(Number(((values.at(-1) ?? 0) + step).toPrecision(6)));
  return values;
}

export function lineChartSvg(chart: LineChart): string {
  const all = chart.series.flatMap((series) => series.points).filter(([x, y]) => Number.isFinite(x + y));
  const xTicks = ticks(Math.max(1e-9, ...all.map(([x]) => x)));
  const yTicks = ticks(Math.max(1e-9, chart.reference?.y ?? 0, ...all.map(([, y]) => y)));
  const xMax = xTicks.at(-1) ?? 1;
  const yMax = yTicks.at(-1) ?? 1;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number): number => MARGIN.left + (x / xMax) * plotWidth;
  const sy = (y: number): number => MARGIN.top + plotHeight - (y / yMax) * plotHeight;
  const f = (value: number): string => value.toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${escape(chart.title)}</text>`,
  ];
  for (const x of xTicks) {
    parts.push(
      `<line x1="${f(sx(x))}" y1="${MARGIN.top}" x2="${f(sx(x))}" y2="${MARGIN.top + plotHeight}" stroke="#eee"/>`,
      `<text x="${f(sx(x))}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle">${x}</text>`,
    );
  }
  for (const y of yTicks) {
    parts.push(
      `<line x1="${MARGIN.left}" y1="${f(sy(y))}" x2="${MARGIN.left + plotWidth}" y2="${f(sy(y))}" stroke="#eee"/>`,
      `<text x="${MARGIN.left - 6}" y="${f(sy(y) + 4)}" text-anchor="end">${y}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 14}" text-anchor="middle">${escape(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`,
  );
  if (chart.reference) {
    const y = f(sy(chart.reference.y));
    parts.push(
      `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotWidth}" y2="${y}" stroke="#999" stroke-dasharray="2 3"/>`,
      `<text x="${MARGIN.left + plotWidth - 4}" y="${f(sy(chart.reference.y) - 4)}" text-anchor="end" fill="#666">${escape(chart.reference.label)}</text>`,
    );
  }
  chart.series.forEach((series, index) => {
    const colour = COLOURS[index % COLOURS.length] ?? '#000';
    const points = series.points.filter(([x, y]) => Number.isFinite(x + y)).sort((a, b) => a[0] - b[0]);
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    if (points.length > 1) {
      const path = points.map(([x, y]) => `${f(sx(x))},${f(sy(y))}`).join(' ');
      parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
    }
    for (const [x, y] of points)
      parts.push(`<circle cx="${f(sx(x))}" cy="${f(sy(y))}" r="3" fill="${colour}"/>`);
    const legendY = MARGIN.top + 10 + index * 18;
    const legendX = MARGIN.left + plotWidth + 12;
    parts.push(
      `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 20}" y2="${legendY}" stroke="${colour}" stroke-width="2"${dash}/>`,
      `<text x="${legendX + 26}" y="${legendY + 4}">${escape(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
