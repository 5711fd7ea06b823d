/**
 * `npm run openapi:validate`: builds the OpenAPI document from the zod schemas, as /openapi.json serves it,
 * and validates it against the official OpenAPI 3.1 schema. Exits 1 on any finding, so CI fails on a broken
 * document.
 */
import { Validator } from '@seriousme/openapi-schema-validator';

import { openApiDocument } from '../lib/openapi.js';

const result = await new Validator().validate(openApiDocument('1.0.0') as never);
if (!result.valid) {
  console.error(JSON.stringify(result.errors, null, 2));
  process.exit(1);
}
const paths = Object.keys(openApiDocument('1.0.0').paths ?? {}).length;
console.log(`openapi: valid OpenAPI 3.1 document, ${paths} paths`);
