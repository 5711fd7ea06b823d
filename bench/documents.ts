/**
 * Bench: resume and posting files. A text PDF (dense pages, as a long resume or posting has) converted the
 * way POST /v1/candidates converts it — convertDocument, one thread per file, bounded — against the same
 * extraction run in-process without the thread (the floor: what pdfjs-dist itself costs). Pages per CPU
 * second counts the thread's CPU as well as the caller's (issue 15: ≥ 20 pages/s per worker core).
 */
import { convertDocument } from '../lib/documents/documents.js';
import { extractText } from '../lib/documents/extract.js';
import { textPdf } from '../test/support/documents.js';
import { formatNumber, type BenchSection } from './support/report.js';
import { median } from './support/stats.js';

export interface DocumentsBenchOptions {
  pages: number;
  repetitions: number;
  log: (line: string) => void;
}

const TARGET_PAGES_PER_CORE_SECOND = 20;
const LINES_PER_PAGE = 45;

/** Pages a second of CPU (all threads of this process) and of wall time, over `runs` conversions. */
async function measure(pages: number, runs: number, convert: () => Promise<unknown>) {
  await convert();
  const cpuBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();
  for (let run = 0; run < runs; run += 1) await convert();
  const cpu = process.cpuUsage(cpuBefore);
  const wallSeconds = Number(process.hrtime.bigint() - wallBefore) / 1e9;
  return {
    perCpuSecond: (runs * pages) / ((cpu.user + cpu.system) / 1e6),
    perWallSecond: (runs * pages) / wallSeconds,
  };
}

export async function runDocumentsBench(options: DocumentsBenchOptions): Promise<BenchSection> {
  const line = (page: number, index: number): string =>
    `Page ${page}, line ${index}: built Go services on Kubernetes with PostgreSQL, Terraform and Prometheus.`;
  const pdf = textPdf(
    Array.from({ length: options.pages }, (_, page) =>
      Array.from({ length: LINES_PER_PAGE }, (_, index) => line(page, index)),
    ),
  );
  const limits = { maxBytes: pdf.length, maxPages: options.pages, timeoutMs: 600_000 };
  const upload = { filename: 'bench.pdf', contentType: 'application/pdf', data: pdf.toString('base64') };
  options.log(
    `  documents: ${options.pages}-page text PDF (${formatNumber(pdf.length)} bytes), ${options.repetitions} rounds ...`,
  );
  const converted = [];
  const floor = [];
  for (let round = 0; round < options.repetitions; round += 1) {
    converted.push(await measure(options.pages, 3, () => convertDocument(upload, limits, '/document')));
    floor.push(
      await measure(options.pages, 3, () =>
        extractText('pdf', new Uint8Array(pdf), { maxPages: options.pages, maxUnpackedBytes: pdf.length }),
      ),
    );
  }
  const ours = median(converted.map((each) => each.perCpuSecond));
  const base = median(floor.map((each) => each.perCpuSecond));
  return {
    title: 'Document conversion',
    setup: [
      `A ${options.pages}-page text PDF, ${LINES_PER_PAGE} lines a page (${formatNumber(pdf.length)} bytes), converted 3 times per round, ${options.repetitions} rounds, median round: by convertDocument (a thread per file with its heap, page and time limits, as the API converts) and, as the floor, by pdfjs-dist's extraction in-process. CPU is the whole process's (all threads).`,
    ],
    figures: [
      {
        name: 'text PDF pages converted per CPU second',
        value: ours,
        unit: 'pages/s',
        better: 'higher',
        baseline: { name: 'pdfjs-dist extraction in-process, no thread', value: base },
        target: {
          text: `≥ ${TARGET_PAGES_PER_CORE_SECOND} pages/s per core`,
          met: ours >= TARGET_PAGES_PER_CORE_SECOND,
        },
      },
    ],
    details: [
      `Wall time (one file at a time): ${formatNumber(median(converted.map((each) => each.perWallSecond)))} pages/s through convertDocument, ${formatNumber(median(floor.map((each) => each.perWallSecond)))} pages/s in-process.`,
    ],
  };
}
