/**
 * `npm run asyncapi:validate`: parses asyncapi.yaml with the AsyncAPI parser (schema, references and its
 * ruleset). Prints every finding; exits 1 when one is an error, so CI fails on a broken catalogue.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { DiagnosticSeverity, Parser } from '@asyncapi/parser';

// A number: the parser's copy of @stoplight/types may not be the one its exported enum comes from.
const ERROR: number = DiagnosticSeverity.Error;
const SEVERITIES = ['error', 'warning', 'information', 'hint'];

const path = fileURLToPath(new URL('../asyncapi.yaml', import.meta.url));
const { document, diagnostics } = await new Parser().parse(await readFile(path, 'utf8'), { source: path });

for (const { severity, message, path: where } of diagnostics) {
  console.log(`${SEVERITIES[severity] ?? 'unknown'}: ${where.join('.') || '(root)'}: ${message}`);
}
const errors = diagnostics.filter(({ severity }) => (severity as number) === ERROR).length;
if (errors > 0 || !document) {
  console.error(`asyncapi.yaml is not valid: ${errors} error(s)`);
  process.exit(1);
}
console.log(
  `asyncapi.yaml is valid AsyncAPI ${document.version()}: ${document.channels().length} channels, ${document.messages().length} messages`,
);
