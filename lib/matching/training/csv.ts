/**
 * Small, dependency-free parsers for the delimited text files of the reference data sets.
 *
 * `parseCsv` follows RFC 4180: fields are separated by a delimiter (a comma by default), records by CRLF,
 * LF or a lone CR; a field may be enclosed in double quotes, and then may contain delimiters, line breaks
 * (kept exactly as written, CR included) and doubled quotes (`""` stands for one `"`). Beyond the RFC:
 * a leading UTF-8 byte-order mark is dropped, a final line break is optional, and empty lines (no
 * characters at all) are skipped rather than read as a record with one empty field. A quote inside an
 * unquoted field, text after a closing quote, or a quote left open at the end are errors.
 *
 * `parseTsv` reads tab-separated values as IANA's text/tab-separated-values defines them: no quoting at
 * all, fields cannot contain tabs or line breaks.
 */

export class CsvParseError extends Error {
  /** 1-based line of the input where the problem was found, when known. */
  readonly line: number | undefined;

  constructor(message: string, line?: number) {
    super(line === undefined ? message : `${message} (line ${line})`);
    this.name = 'CsvParseError';
    this.line = line;
  }
}

export interface CsvOptions {
  /** One character other than `"`, CR or LF; `,` by default. */
  delimiter?: string;
}

const QUOTE = '"';

/** Parses RFC 4180 text into records of raw field strings. */
export function parseCsv(text: string, options: CsvOptions = {}): string[][] {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === QUOTE || delimiter === '\r' || delimiter === '\n') {
    throw new RangeError(`CSV delimiter must be one character other than a quote or line break`);
  }

  const records: string[][] = [];
  const length = text.length;
  let position = text.startsWith('\uFEFF') ? 1 : 0;
  let line = 1;
  let record: string[] = [];
  let lastFieldQuoted = false;

  const endRecord = (): void => {
    // A line with no characters at all is not a record.
    if (!(record.length === 1 && record[0] === '' && !lastFieldQuoted)) records.push(record);
    record = [];
  };

  while (position < length) {
    // At the start of a field.
    let field: string;
    if (text[position] === QUOTE) {
      const startLine = line;
      position += 1;
      let value = '';
      for (;;) {
        const close = text.indexOf(QUOTE, position);
        if (close === -1) throw new CsvParseError('Quoted field is not closed', startLine);
        const chunk = text.slice(position, close);
        line += countLineBreaks(chunk);
        value += chunk;
        if (text[close + 1] === QUOTE) {
          value += QUOTE;
          position = close + 2;
          continue;
        }
        position = close + 1;
        break;
      }
      const next = text[position];
      if (next !== undefined && next !== delimiter && next !== '\r' && next !== '\n') {
        throw new CsvParseError(`Unexpected ${JSON.stringify(next)} after a closing quote`, line);
      }
      field = value;
      lastFieldQuoted = true;
    } else {
      let end = position;
      while (end < length) {
        const char = text[end];
        if (char === delimiter || char === '\r' || char === '\n') break;
        if (char === QUOTE) throw new CsvParseError('Quote inside an unquoted field', line);
        end += 1;
      }
      field = text.slice(position, end);
      position = end;
      lastFieldQuoted = false;
    }
    record.push(field);

    // After a field: a delimiter, a line break, or the end of the input.
    const after = text[position];
    if (after === delimiter) {
      position += 1;
      if (position === length) {
        // A trailing delimiter ends the input with one more, empty field.
        record.push('');
        lastFieldQuoted = false;
        endRecord();
      }
    } else {
      if (after === '\r') position += text[position + 1] === '\n' ? 2 : 1;
      else if (after === '\n') position += 1;
      line += after === undefined ? 0 : 1;
      endRecord();
    }
  }
  return records;
}

/**
 * Parses CSV whose first record is a header into objects keyed by column name. Throws when a column in
 * `required` is missing from the header or when a record's field count differs from the header's.
 */
export function parseCsvObjects<K extends string>(
  text: string,
  required: readonly K[],
  options: CsvOptions = {},
): Record<K, string>[] {
  return toObjects(parseCsv(text, options), required);
}

/** Splits tab-separated values (no quoting) into records; empty lines are skipped. */
export function parseTsv(text: string): string[][] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return body
    .split(/\r\n|\r|\n/)
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
}

/** `parseTsv` with a header record, like `parseCsvObjects`. */
export function parseTsvObjects<K extends string>(text: string, required: readonly K[]): Record<K, string>[] {
  return toObjects(parseTsv(text), required);
}

function toObjects<K extends string>(records: string[][], required: readonly K[]): Record<K, string>[] {
  const [header, ...rows] = records;
  if (header === undefined) throw new CsvParseError('No header record');
  const indexes = required.map((name) => {
    const index = header.indexOf(name);
    if (index === -1) {
      throw new CsvParseError(
        `Missing column ${JSON.stringify(name)}; the header has ${JSON.stringify(header)}`,
      );
    }
    return index;
  });
  return rows.map((row, rowIndex) => {
    if (row.length !== header.length) {
      throw new CsvParseError(
        `Data record ${rowIndex + 1} has ${row.length} fields, the header has ${header.length}`,
      );
    }
    const object = {} as Record<K, string>;
    required.forEach((name, i) => {
      object[name] = row[indexes[i] ?? -1] ?? '';
    });
    return object;
  });
}

function countLineBreaks(chunk: string): number {
  let count = 0;
  for (let i = 0; i < chunk.length; i += 1) {
    const char = chunk[i];
    if (char === '\n') count += 1;
    else if (char === '\r' && chunk[i + 1] !== '\n') count += 1;
  }
  return count;
}
