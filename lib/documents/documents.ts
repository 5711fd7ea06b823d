import { Worker } from 'node:worker_threads';

import type { DocumentLimits } from '../config.js';
import { ValidationError } from '../errors.js';
import type { DocumentKind, Extraction } from './extract.js';

/** A file as clients send it in a JSON body. */
export interface DocumentUpload {
  filename: string;
  contentType: string;
  /** The file's bytes, base64. */
  data: string;
}

/** A converted file: its text, and the original as it is kept with the profile. */
export interface ConvertedDocument {
  text: string;
  pages: number | null;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/** The media type of each kind of file read; anything else is refused (lib/schemas.ts lists them too). */
export const DOCUMENT_TYPES = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
} as const satisfies Record<DocumentKind, string>;

/** A DOCX may unpack to this many times its limit in bytes: text compresses well, a zip bomb far better. */
const UNPACKED_RATIO = 20;
/** Heap a conversion thread may use: a file that needs more is refused, not the API's memory spent. */
const THREAD_HEAP_MB = 256;

function kindOf(upload: DocumentUpload, bytes: Buffer): DocumentKind | undefined {
  const type = upload.contentType.toLowerCase();
  const declared = type === DOCUMENT_TYPES.pdf ? 'pdf' : type === DOCUMENT_TYPES.docx ? 'docx' : undefined;
  if (declared === 'pdf' && bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (declared === 'docx' && bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])))
    return 'docx';
  return undefined;
}

/**
 * The thread files are read in, kept between files so its libraries load once. One file at a time; a file
 * that overruns DOCUMENT_TIMEOUT_MS, or a thread that dies (out of its heap), takes the thread down with it
 * and the next file starts a new one: a hostile file never holds the API, nor the files after it.
 */
class DocumentReader {
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;

  read(kind: DocumentKind, bytes: Buffer, limits: DocumentLimits): Promise<Extraction> {
    const turn = this.queue.then(() => this.readNow(kind, bytes, limits));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    // Built, the thread runs the compiled file; from source (development, tests) it registers tsx first.
    const fromSource = import.meta.url.endsWith('.ts');
    const script = new URL(fromSource ? './thread.ts' : './thread.js', import.meta.url);
    const entry = fromSource
      ? `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script.href)}); });`
      : script;
    const worker = new Worker(entry, {
      eval: fromSource,
      resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB },
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private stop(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
  }

  private readNow(kind: DocumentKind, bytes: Buffer, limits: DocumentLimits): Promise<Extraction> {
    const worker = this.thread();
    const id = (this.nextId += 1);
    return new Promise<Extraction>((resolve) => {
      const finish = (extraction: Extraction, healthy: boolean): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (!healthy) this.stop(worker);
        resolve(extraction);
      };
      const onMessage = (answer: { id: number; extraction: Extraction }): void => {
        if (answer.id === id) finish(answer.extraction, true);
      };
      const onError = (error: Error): void => {
        finish(
          {
            ok: false,
            reason:
              (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
                ? `it needs more than the ${THREAD_HEAP_MB} MiB a document may use to read`
                : `it could not be read (${error.message})`,
          },
          false,
        );
      };
      const onExit = (): void => {
        finish({ ok: false, reason: 'its reader stopped before it finished' }, false);
      };
      const timer = setTimeout(() => {
        finish(
          { ok: false, reason: `it took longer than the ${limits.timeoutMs} ms a document may take to read` },
          false,
        );
      }, limits.timeoutMs);
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage({
        id,
        kind,
        bytes: new Uint8Array(bytes),
        limits: { maxPages: limits.maxPages, maxUnpackedBytes: UNPACKED_RATIO * limits.maxBytes },
      });
    });
  }
}

const reader = new DocumentReader();

/**
 * A resume's or posting's file as text, or a 422 naming `pointer` and the reason: a type other than PDF or
 * DOCX (or bytes that are not what the type says), a file over the limit, an encrypted, corrupt or too long
 * one, or one with no text to read (a scan: its pages are images). Never an empty or placeholder profile.
 */
export async function convertDocument(
  upload: DocumentUpload,
  limits: DocumentLimits,
  pointer: string,
): Promise<ConvertedDocument> {
  const refuse = (detail: string): never => {
    throw new ValidationError(`The document ${JSON.stringify(upload.filename)} was refused: ${detail}.`, [
      { pointer, detail },
    ]);
  };
  const bytes = Buffer.from(upload.data, 'base64');
  if (bytes.length > limits.maxBytes)
    refuse(`it is ${bytes.length} bytes, more than the ${limits.maxBytes} a document may be`);
  const kind = kindOf(upload, bytes);
  if (kind === undefined)
    return refuse(
      `only PDF (${DOCUMENT_TYPES.pdf}) and DOCX (${DOCUMENT_TYPES.docx}) files are read, and the bytes must be the type sent`,
    );
  const extraction = await reader.read(kind, bytes, limits);
  if (!extraction.ok) return refuse(extraction.reason);
  const text = extraction.text
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (text.length === 0) refuse('it has no text to read (a scan? its pages may be images)');
  return { text, pages: extraction.pages, filename: upload.filename, contentType: upload.contentType, bytes };
}
