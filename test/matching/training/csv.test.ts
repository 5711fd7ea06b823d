import { describe, expect, it } from 'vitest';

import {
  CsvParseError,
  parseCsv,
  parseCsvObjects,
  parseTsv,
  parseTsvObjects,
} from '../../../lib/matching/training/csv.js';

describe('parseCsv', () => {
  it('reads plain fields and records', () => {
    expect(parseCsv('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
  });

  it('does not need a final line break', () => {
    expect(parseCsv('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('reads quoted fields with delimiters inside', () => {
    expect(parseCsv('"a,b",c\n')).toEqual([['a,b', 'c']]);
  });

  it('turns doubled quotes into one', () => {
    expect(parseCsv('"say ""hi""",x\n""""\n')).toEqual([['say "hi"', 'x'], ['"']]);
  });

  it('keeps line breaks inside quotes exactly', () => {
    expect(parseCsv('id,text\r\n1,"line one\nline two\r\nline three"\r\n2,x\r\n')).toEqual([
      ['id', 'text'],
      ['1', 'line one\nline two\r\nline three'],
      ['2', 'x'],
    ]);
  });

  it('accepts CRLF, LF and lone CR between records', () => {
    expect(parseCsv('a,b\r\n1,2\n3,4\r5,6\r\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
  });

  it('keeps empty fields, quoted or not', () => {
    expect(parseCsv(',"",x,\n')).toEqual([['', '', 'x', '']]);
    expect(parseCsv('a,')).toEqual([['a', '']]);
  });

  it('skips empty lines but keeps a record that is one quoted empty field', () => {
    expect(parseCsv('a\n\n\r\nb\n""\n')).toEqual([['a'], ['b'], ['']]);
  });

  it('drops a byte-order mark and reads empty input as no records', () => {
    expect(parseCsv('\uFEFFa,b\n')).toEqual([['a', 'b']]);
    expect(parseCsv('')).toEqual([]);
  });

  it('takes another delimiter', () => {
    expect(parseCsv('a;"b;c"\n', { delimiter: ';' })).toEqual([['a', 'b;c']]);
    expect(() => parseCsv('a', { delimiter: '"' })).toThrow(RangeError);
  });

  it('rejects malformed quoting, naming the line', () => {
    expect(() => parseCsv('a,"open\nstill open')).toThrow(CsvParseError);
    expect(() => parseCsv('a,b\nx,"quoted"tail\n')).toThrow(/after a closing quote \(line 2\)/);
    expect(() => parseCsv('a,b"c\n')).toThrow(/Quote inside an unquoted field/);
  });
});

describe('parseCsvObjects', () => {
  it('keys records by header, picking the named columns', () => {
    expect(parseCsvObjects('id,skip,text\n1,x,"a\nb"\n', ['text', 'id'])).toEqual([
      { text: 'a\nb', id: '1' },
    ]);
  });

  it('rejects a missing column or a ragged record', () => {
    expect(() => parseCsvObjects('id\n1\n', ['id', 'text'])).toThrow(/Missing column "text"/);
    expect(() => parseCsvObjects('id,text\n1\n', ['id'])).toThrow(/has 1 fields, the header has 2/);
    expect(() => parseCsvObjects('', ['id'])).toThrow(/No header/);
  });
});

describe('parseTsv', () => {
  it('splits on tabs and any line break, without quoting', () => {
    expect(parseTsv('a\tb\r\n"1"\t2,3\n\n')).toEqual([
      ['a', 'b'],
      ['"1"', '2,3'],
    ]);
    expect(parseTsvObjects('Code\tName\r\nx\ty\r\n', ['Name'])).toEqual([{ Name: 'y' }]);
  });
});
