/** The figures every bench returns, and how they are printed and written to BENCHMARKS.md. */

export interface Figure {
  /** What was measured, e.g. "extractJobFeatures". */
  name: string;
  value: number;
  unit: string;
  /** Whether a larger value is better (throughput) or worse (latency). */
  better: 'higher' | 'lower';
  baseline: { name: string; value: number };
  /** The target from the issue, when there is one, and whether this run met it. */
  target?: { text: string; met: boolean };
}

export interface BenchSection {
  title: string;
  /** How the bench ran: inputs, sizes, repetitions; one line each. */
  setup: string[];
  figures: Figure[];
  /** Extra measurements (breakdowns, informational rows), already formatted. */
  details: string[];
}

export function ratio(figure: Figure): number {
  return figure.value / figure.baseline.value;
}

/** 3 significant digits, thousands separated: 1,230,000 / 45.6 / 0.0123. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Number(value.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

export function formatRatio(value: number): string {
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

function targetCell(figure: Figure): string {
  if (!figure.target) return '—';
  return `${figure.target.met ? 'met' : 'MISSED'}: ${figure.target.text}`;
}

const HEADER = ['bench', 'figure', 'value', 'baseline', 'baseline value', 'ratio', 'target'];

function rowsOf(sections: readonly BenchSection[]): string[][] {
  return sections.flatMap((section) =>
    section.figures.map((figure) => [
      section.title,
      figure.name,
      `${formatNumber(figure.value)} ${figure.unit}`,
      figure.baseline.name,
      `${formatNumber(figure.baseline.value)} ${figure.unit}`,
      formatRatio(ratio(figure)),
      targetCell(figure),
    ]),
  );
}

/** A plain-text table for the terminal. */
export function textTable(sections: readonly BenchSection[]): string {
  const rows = [HEADER, ...rowsOf(sections)];
  const widths = HEADER.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(rows[0] ?? []),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.slice(1).map(line),
  ].join('\n');
}

function markdownRow(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
}

export function markdownTable(sections: readonly BenchSection[]): string {
  return [
    markdownRow(HEADER),
    markdownRow(HEADER.map(() => '---')),
    ...rowsOf(sections).map(markdownRow),
  ].join('\n');
}
