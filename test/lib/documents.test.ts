import { describe, expect, it } from 'vitest';

import { convertDocument } from '../../lib/documents/documents.js';
import { ValidationError } from '../../lib/errors.js';
import { PDF, textPdf, upload } from '../support/documents.js';

const limits = { maxBytes: 1_000_000, maxPages: 50, timeoutMs: 30_000 };
const file = upload('cv.pdf', PDF, textPdf([['Backend engineer: Go, Kubernetes, PostgreSQL.']]));

describe('convertDocument', () => {
  it('refuses a file that overruns its time, and reads the next one in a fresh thread', async () => {
    const refused = await convertDocument(file, { ...limits, timeoutMs: 1 }, '/document').catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).errors?.[0]).toMatchObject({
      pointer: '/document',
      detail: expect.stringMatching(/took longer than the 1 ms/) as unknown,
    });
    const read = await convertDocument(file, limits, '/document');
    expect(read.text).toContain('Go, Kubernetes, PostgreSQL');
  });

  it('reads files one after another in the same thread', async () => {
    const texts = await Promise.all(
      ['first', 'second', 'third'].map(
        async (word) =>
          (
            await convertDocument(
              upload(`${word}.pdf`, PDF, textPdf([[`The ${word} resume.`]])),
              limits,
              '/document',
            )
          ).text,
      ),
    );
    expect(texts).toEqual(['The first resume.', 'The second resume.', 'The third resume.']);
  });
});
