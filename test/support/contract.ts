import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import { openApiDocument } from '../../lib/openapi.js';

type Document = ReturnType<typeof openApiDocument>;

const document: Document = openApiDocument('test');
const ajv = new Ajv2020({ strict: false, validateSchema: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(document, 'openapi.json');

const escape = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

interface Operation {
  template: string;
  pattern: RegExp;
}

const operations: Operation[] = Object.keys(document.paths ?? {}).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

const validators = new Map<string, ValidateFunction>();

/** The operation a request path belongs to, by the document's path templates. */
export function documentedPath(path: string): string | undefined {
  const bare = path.split('?')[0] ?? path;
  return operations.find((operation) => operation.pattern.test(bare))?.template;
}

/**
 * Checks one response the tests received against the OpenAPI document: the status must be documented for
 * the operation, and the body must match the schema of that status and content type. Paths the document
 * does not describe are left alone (a separate test checks that every route is documented).
 */
export function checkResponse(
  method: string,
  path: string,
  status: number,
  contentType: string | null,
  body: unknown,
): void {
  const template = documentedPath(path);
  if (template === undefined) return;
  const operation = (
    document.paths?.[template] as Record<string, { responses?: Record<string, unknown> }> | undefined
  )?.[method.toLowerCase()];
  if (!operation) throw new Error(`contract: ${method} ${template} is not in the OpenAPI document`);
  const response = operation.responses?.[String(status)] as { content?: Record<string, unknown> } | undefined;
  if (!response) {
    throw new Error(
      `contract: ${method} ${template} answered ${status}, which the OpenAPI document does not list`,
    );
  }
  if (!response.content) return;
  const mediaType = (contentType ?? '').split(';')[0]?.trim() ?? '';
  if (!(mediaType in response.content)) {
    throw new Error(
      `contract: ${method} ${template} ${status} sent ${mediaType}, documented: ${Object.keys(response.content).join(', ')}`,
    );
  }
  const pointer = [
    'paths',
    template,
    method.toLowerCase(),
    'responses',
    String(status),
    'content',
    mediaType,
    'schema',
  ]
    .map(escape)
    .join('/');
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `openapi.json#/${pointer}` });
    validators.set(pointer, validate);
  }
  if (!validate(body)) {
    throw new Error(
      `contract: ${method} ${path} ${status} does not match the OpenAPI document: ${ajv.errorsText(validate.errors)}`,
    );
  }
}
