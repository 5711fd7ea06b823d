/**
 * Text out of a PDF or DOCX file, in the thread lib/documents/documents.ts starts for each file (never on
 * the API's event loop): pdfjs-dist reads PDFs page by page, mammoth reads DOCX. A file is refused, with
 * the reason, when it is encrypted, corrupt, longer than the page limit or (DOCX) larger than the limit once
 * unpacked — a zip bomb is stopped as soon as its inflated bytes pass the limit.
 */
import JSZip from 'jszip';
import mammoth from 'mammoth';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export type DocumentKind = 'pdf' | 'docx';

export interface ExtractionLimits {
  maxPages: number;
  maxUnpackedBytes: number;
}

export type Extraction = { ok: true; text: string; pages: number | null } | { ok: false; reason: string };

const refused = (reason: string): Extraction => ({ ok: false, reason });

async function pdfText(bytes: Uint8Array, limits: ExtractionLimits): Promise<Extraction> {
  // Text needs no fonts or rendering; verbosity 0 keeps pdfjs's warnings about them off the API's log.
  const loading = getDocument({
    data: bytes,
    isEvalSupported: false,
    disableFontFace: true,
    stopAtErrors: true,
    verbosity: 0,
  });
  try {
    const pdf = await loading.promise;
    if (pdf.numPages > limits.maxPages)
      return refused(`it has ${pdf.numPages} pages, more than the ${limits.maxPages} a document may have`);
    const pages: string[] = [];
    for (let number = 1; number <= pdf.numPages; number += 1) {
      const page = await pdf.getPage(number);
      const content = await page.getTextContent();
      pages.push(
        content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : '')).join(''),
      );
      page.cleanup();
    }
    return { ok: true, text: pages.join('\n\n'), pages: pdf.numPages };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'PasswordException') return refused('it is encrypted (password protected)');
    if (name === 'InvalidPDFException') return refused('it is not a readable PDF (corrupt or truncated)');
    return refused(
      `it could not be read as a PDF (${error instanceof Error ? error.message : String(error)})`,
    );
  } finally {
    await loading.destroy();
  }
}

/**
 * The bytes the archive inflates to, counted while inflating and given up past `limit` (then more than it):
 * the sizes a ZIP's directory declares can lie, the inflated bytes cannot.
 */
async function unpackedSize(archive: JSZip, limit: number): Promise<number> {
  let total = 0;
  for (const entry of Object.values(archive.files)) {
    if (entry.dir) continue;
    total += await inflatedBytes(entry, limit - total);
    if (total > limit) break;
  }
  return total;
}

/** The bytes one entry inflates to, or the first count past `budget` (the entry is then left unread). */
function inflatedBytes(entry: JSZip.JSZipObject, budget: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const stream = entry.nodeStream('nodebuffer');
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > budget) {
        stream.pause();
        resolve(bytes);
      }
    });
    stream.on('end', () => {
      resolve(bytes);
    });
    stream.on('error', reject);
  });
}

async function docxText(bytes: Uint8Array, limits: ExtractionLimits): Promise<Extraction> {
  let archive: JSZip;
  try {
    archive = await JSZip.loadAsync(bytes);
  } catch {
    return refused('it is not a readable DOCX file (not a ZIP archive)');
  }
  const unpacked = await unpackedSize(archive, limits.maxUnpackedBytes).catch(() => undefined);
  if (unpacked === undefined) return refused('it is not a readable DOCX file (a part does not inflate)');
  if (unpacked > limits.maxUnpackedBytes)
    return refused(`it unpacks to more than the ${limits.maxUnpackedBytes} bytes a document may`);
  if (archive.file('word/document.xml') === null)
    return refused('it is not a DOCX file (no word/document.xml)');
  try {
    const { value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes) });
    return { ok: true, text: value, pages: null };
  } catch (error) {
    return refused(
      `it could not be read as DOCX (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

export function extractText(
  kind: DocumentKind,
  bytes: Uint8Array,
  limits: ExtractionLimits,
): Promise<Extraction> {
  return kind === 'pdf' ? pdfText(bytes, limits) : docxText(bytes, limits);
}
