import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import {
  cloudEventType,
  deadLetterTopic,
  eventAggregates,
  eventTypes,
  ingestTopics,
  topics,
} from '../../lib/events/registry.js';
import { candidateInput, jobInput } from '../../lib/schemas.js';

const path = fileURLToPath(new URL('../../asyncapi.yaml', import.meta.url));
const { document, diagnostics } = await new Parser().parse(await readFile(path, 'utf8'), { source: path });

type Json = Record<string, unknown>;

/** A number: the parser's copy of @stoplight/types may not be the one its exported enum comes from. */
const ERROR: number = DiagnosticSeverity.Error;

function isError(severity: number): boolean {
  return severity === ERROR;
}

/** The `type` a message's payload pins (`allOf: [envelope, {properties: {type: {const}}}]`). */
function pinnedType(schema: Json | undefined): unknown {
  const parts = (schema?.allOf ?? []) as Json[];
  return parts
    .map((part) => ((part.properties as Json | undefined)?.type as Json | undefined)?.const)
    .find((value) => value !== undefined);
}

/** A schema as the API's validation sees it: without descriptions and the parser's bookkeeping. */
function bare(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(bare);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'description' && key !== '$schema' && !key.startsWith('x-parser-'))
      .map(([key, inner]) => [key, bare(inner)]),
  );
}

describe('asyncapi.yaml', () => {
  it('is a valid AsyncAPI 3.0 document', () => {
    expect(diagnostics.filter(({ severity }) => isError(severity))).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });

  it('documents every event type of the registry, on its topic, and nothing the registry lacks', () => {
    const documented = new Map<string, string>();
    for (const channel of document?.channels().all() ?? []) {
      for (const message of channel.messages().all()) {
        const type = pinnedType(message.payload()?.json());
        if (typeof type === 'string') documented.set(type, channel.address() ?? '');
      }
    }
    const expected = new Map<string, string>([
      ...eventTypes.map((type) => [cloudEventType(type), topics[eventAggregates[type]]] as const),
      ...Object.values(ingestTopics).map(({ type, topic }) => [cloudEventType(type), topic] as const),
    ]);
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(expected));
    const addresses = (document?.channels().all() ?? []).map((channel) => channel.address());
    expect(addresses).toContain(deadLetterTopic);
  });

  it('documents the ingest data exactly as the API validates it', () => {
    const schemas = document?.components().schemas();
    for (const [name, schema] of [
      ['JobInput', jobInput],
      ['CandidateInput', candidateInput],
    ] as const) {
      const generated = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' });
      expect(bare(schemas?.get(name)?.json()), name).toEqual(bare(generated));
    }
  });
});
