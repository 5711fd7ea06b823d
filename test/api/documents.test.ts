import { describe, expect, it } from 'vitest';

import { useTestContext } from '../support/context.js';
import { DOCX, docx, PDF, textPdf, upload } from '../support/documents.js';
import { waitForMatch, type MatchRequestBody } from '../support/polling.js';

const stack = useTestContext({
  workers: true,
  env: { DOCUMENT_MAX_BYTES: '65536', DOCUMENT_MAX_PAGES: '3' },
});

interface Problem {
  detail: string;
  errors?: { pointer: string; detail: string }[];
}

const resumePdf = textPdf([
  ['Alex Moreno - Backend Engineer', 'Seven years building Go microservices on Kubernetes.'],
  [
    'Skills: Go, Kubernetes, PostgreSQL, Terraform, Prometheus.',
    'Led the move of 40 services to Kubernetes.',
  ],
]);

describe('resumes and postings sent as files', () => {
  it('become profiles from a PDF resume and a DOCX posting, whose matches name their skills', async () => {
    const key = await stack.newClient();
    const posting = await docx([
      'We are hiring a Platform Engineer.',
      'You will run Go services on Kubernetes and own our PostgreSQL databases.',
    ]);
    const job = await stack.request<{ id: string; description: string; document: Record<string, unknown> }>(
      'POST',
      '/v1/jobs',
      {
        key,
        body: {
          externalId: 'platform',
          title: 'Platform Engineer',
          document: upload('platform.docx', DOCX, posting),
        },
      },
    );
    expect(job.status).toBe(201);
    expect(job.body.description).toContain('Go services on Kubernetes');
    expect(job.body.document).toEqual({
      filename: 'platform.docx',
      contentType: DOCX,
      size: posting.length,
      pages: null,
    });

    const candidate = await stack.request<{
      id: string;
      resumeText: string;
      document: Record<string, unknown>;
    }>('POST', '/v1/candidates', {
      key,
      body: { externalId: 'alex', document: upload('alex.pdf', PDF, resumePdf) },
    });
    expect(candidate.status).toBe(201);
    expect(candidate.body.resumeText).toContain('Seven years building Go microservices');
    expect(candidate.body.document).toMatchObject({ filename: 'alex.pdf', pages: 2 });
    const original = await fetch(`${stack.baseUrl}/v1/candidates/${candidate.body.id}/document`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe(PDF);
    expect(Buffer.from(await original.arrayBuffer())).toEqual(resumePdf);

    const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
      key,
      body: { candidateId: candidate.body.id },
    });
    const done = await waitForMatch(stack, key, submitted.body.id);
    expect(done.results?.[0]?.explanation.matchedSkills).toEqual(
      expect.arrayContaining(['Kubernetes', 'PostgreSQL']),
    );

    // Another client sees neither the profile nor its file.
    const other = await stack.newClient();
    const hidden = await stack.request('GET', `/v1/candidates/${candidate.body.id}/document`, { key: other });
    expect(hidden.status).toBe(404);
  });

  it('refuse, with 422 naming the reason, files that cannot give a profile, and write nothing', async () => {
    const key = await stack.newClient();
    const bomb = await docx(['x'.repeat(2_000_000)]);
    const cases = [
      { name: 'an empty PDF', file: upload('scan.pdf', PDF, textPdf([[]])), reason: /no text to read/ },
      {
        name: 'a corrupt PDF',
        file: upload('bad.pdf', PDF, Buffer.from('%PDF-1.4\nnot really')),
        reason: /PDF/,
      },
      {
        name: 'a PDF over the page limit',
        file: upload('long.pdf', PDF, textPdf([['a'], ['b'], ['c'], ['d']])),
        reason: /4 pages/,
      },
      { name: 'a zip bomb', file: upload('bomb.docx', DOCX, bomb), reason: /unpacks to/ },
      {
        name: 'a file over the size limit',
        file: upload('big.pdf', PDF, Buffer.concat([textPdf([['a']]), Buffer.alloc(70_000)])),
        reason: /more than the 65536/,
      },
      {
        name: 'bytes that are not the type sent',
        file: upload('fake.pdf', PDF, Buffer.from('hello')),
        reason: /only PDF/,
      },
    ];
    for (const { name, file, reason } of cases) {
      const response = await stack.request<Problem>('POST', '/v1/candidates', {
        key,
        body: { externalId: name, document: file },
      });
      expect(response.status, name).toBe(422);
      expect(response.body.errors?.[0]?.pointer, name).toBe('/document');
      expect(response.body.errors?.[0]?.detail, name).toMatch(reason);
    }
    const both = await stack.request<Problem>('POST', '/v1/candidates', {
      key,
      body: { externalId: 'both', resumeText: 'text', document: upload('alex.pdf', PDF, resumePdf) },
    });
    expect(both.status).toBe(422);
    const list = await stack.request<{ items: unknown[] }>('GET', '/v1/candidates', { key });
    expect(list.body.items).toEqual([]);

    const batch = await stack.request<{
      created: number;
      invalid: number;
      items: { status: string; errors?: { pointer: string }[] }[];
    }>('POST', '/v1/candidates/batch', {
      key,
      body: {
        items: [
          { externalId: 'ok', document: upload('alex.pdf', PDF, resumePdf) },
          { externalId: 'empty', document: upload('scan.pdf', PDF, textPdf([[]])) },
        ],
      },
    });
    expect(batch.body).toMatchObject({ created: 1, invalid: 1 });
    expect(batch.body.items[1]?.errors?.[0]?.pointer).toBe('/items/1/document');
  });
});
