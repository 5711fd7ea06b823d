import fc from 'fast-check';

import { openApiDocument } from '../../../lib/openapi.js';

/** The subset of JSON Schema (2020-12, as zod-openapi writes it) the generators understand. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  default?: unknown;
}

export type Security = 'apiKey' | 'admin' | 'none';

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema: JsonSchema;
}

/** One documented operation, as the fuzzers see it. */
export interface Operation {
  operationId: string;
  method: string;
  template: string;
  security: Security;
  pathParams: string[];
  query: Parameter[];
  headers: Parameter[];
  body: JsonSchema | undefined;
}

export const DOCUMENT = openApiDocument('fuzz');

interface RawOperation {
  operationId?: string;
  security?: Record<string, unknown>[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

function securityOf(requirements: Record<string, unknown>[] | undefined): Security {
  const effective = requirements ?? DOCUMENT.security ?? [];
  // An empty requirement ({}) means anonymous access is allowed: send nothing.
  if (effective.length === 0 || effective.some((requirement) => Object.keys(requirement).length === 0)) {
    return 'none';
  }
  if (effective.some((requirement) => 'adminToken' in requirement)) return 'admin';
  return 'apiKey';
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * Every operation of the OpenAPI document. Read from the document, not listed by hand, so a route added
 * to the document is fuzzed without anyone touching these tests.
 */
export const OPERATIONS: Operation[] = Object.entries(DOCUMENT.paths ?? {}).flatMap(([template, item]) =>
  METHODS.flatMap((method) => {
    const raw = (item as Record<string, RawOperation | undefined>)[method];
    if (!raw) return [];
    const parameters = raw.parameters ?? [];
    return [
      {
        operationId: raw.operationId ?? `${method} ${template}`,
        method: method.toUpperCase(),
        template,
        security: securityOf(raw.security),
        pathParams: [...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? ''),
        query: parameters.filter((parameter) => parameter.in === 'query'),
        headers: parameters.filter((parameter) => parameter.in === 'header'),
        body: raw.requestBody?.content?.['application/json']?.schema,
      },
    ];
  }),
);

export const WRITE_OPERATIONS = OPERATIONS.filter((operation) => operation.body !== undefined);

function resolve(schema: JsonSchema): JsonSchema {
  if (schema.$ref === undefined) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = (DOCUMENT.components?.schemas as Record<string, JsonSchema> | undefined)?.[name];
  if (!target) throw new Error(`fuzz: cannot resolve ${schema.$ref}`);
  return resolve(target);
}

/** Decides the value of one field itself (ids, URLs, secrets); undefined leaves it to the schema. */
export type Hint = (name: string, schema: JsonSchema) => fc.Arbitrary<unknown> | undefined;

export interface SchemaArbitraryOptions {
  hint: Hint;
  /** Strings for a field with these length bounds (in UTF-16 units, as zod counts). */
  text: (minLength: number, maxLength: number) => fc.Arbitrary<string>;
  /** Longest array generated, whatever maxItems says: keeps most requests small. */
  maxArray: number;
}

/**
 * A fast-check arbitrary for values that satisfy a JSON Schema of the document (the request body schemas
 * zod-openapi derived from lib/schemas.ts). Refinements zod adds on top (trimming, salaryMin <= salaryMax,
 * exactly one of candidateId/jobId) are not in the schema, so some of these values are still refused: the
 * properties only require that refusals are clean.
 */
export function arbitraryFor(
  schema: JsonSchema,
  options: SchemaArbitraryOptions,
  name = '',
): fc.Arbitrary<unknown> {
  const resolved = resolve(schema);
  const hinted = options.hint(name, resolved);
  if (hinted) return hinted;
  if (resolved.const !== undefined) return fc.constant(resolved.const);
  if (resolved.enum) return fc.constantFrom(...resolved.enum);
  const alternatives = resolved.anyOf ?? resolved.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((option) => arbitraryFor(option, options, name)));
  if (Array.isArray(resolved.type)) {
    return fc.oneof(...resolved.type.map((type) => arbitraryFor({ ...resolved, type }, options, name)));
  }
  switch (resolved.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({
        min: Math.max(resolved.minimum ?? -(2 ** 31), Number.MIN_SAFE_INTEGER),
        max: Math.min(resolved.maximum ?? 2 ** 31, Number.MAX_SAFE_INTEGER),
      });
    case 'number':
      if (resolved.multipleOf !== undefined) {
        // k / 10 is the double nearest to k tenths; k * 0.1 is not (3 * 0.1 = 0.30000000000000004).
        const step = resolved.multipleOf;
        const perUnit = step < 1 ? Math.round(1 / step) : undefined;
        return fc
          .integer({
            min: Math.ceil((resolved.minimum ?? -1e6) / step),
            max: Math.floor((resolved.maximum ?? 1e6) / step),
          })
          .map((multiple) => (perUnit === undefined ? multiple * step : multiple / perUnit));
      }
      return fc.double({
        min: resolved.minimum ?? -1e9,
        max: resolved.maximum ?? 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'string':
      if (resolved.format === 'uuid') return fc.uuid();
      if (resolved.pattern !== undefined) return fc.stringMatching(new RegExp(resolved.pattern));
      return options.text(resolved.minLength ?? 0, resolved.maxLength ?? 1000);
    case 'array': {
      const minLength = resolved.minItems ?? 0;
      return fc.array(arbitraryFor(resolved.items ?? {}, options, name), {
        minLength,
        maxLength: Math.max(minLength, Math.min(resolved.maxItems ?? options.maxArray, options.maxArray)),
      });
    }
    case 'object':
    case undefined: {
      const properties = resolved.properties ?? {};
      if (Object.keys(properties).length === 0 && resolved.type === undefined) return fc.jsonValue();
      const model = Object.fromEntries(
        Object.entries(properties).map(([key, property]) => [key, arbitraryFor(property, options, key)]),
      );
      return fc.record(model, { requiredKeys: resolved.required ?? [] });
    }
    default:
      throw new Error(`fuzz: no generator for JSON Schema type ${resolved.type}`);
  }
}
