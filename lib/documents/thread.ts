/** The thread one document is converted in (see documents.ts): workerData in, one Extraction out. */
import { parentPort, workerData } from 'node:worker_threads';

import { extractText, type DocumentKind, type ExtractionLimits } from './extract.js';

const { kind, bytes, limits } = workerData as {
  kind: DocumentKind;
  bytes: Uint8Array;
  limits: ExtractionLimits;
};
parentPort?.postMessage(await extractText(kind, bytes, limits));
