/**
 * The thread documents are converted in (see documents.ts): it stays up between files, so pdfjs-dist and
 * mammoth are loaded once, and takes one request at a time: {id, kind, bytes, limits} in, {id, extraction}
 * out.
 */
import { parentPort } from 'node:worker_threads';

import { extractText, type DocumentKind, type ExtractionLimits } from './extract.js';

export interface ReadRequest {
  id: number;
  kind: DocumentKind;
  bytes: Uint8Array;
  limits: ExtractionLimits;
}

parentPort?.on('message', (request: ReadRequest) => {
  void extractText(request.kind, request.bytes, request.limits)
    .catch((error: unknown) => ({
      ok: false as const,
      reason: `it could not be read (${error instanceof Error ? error.message : String(error)})`,
    }))
    .then((extraction) => parentPort?.postMessage({ id: request.id, extraction }));
});
