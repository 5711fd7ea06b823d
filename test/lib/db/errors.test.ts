import { DBError } from 'objection';
import { describe, expect, it } from 'vitest';

import { isDatabaseUnavailable } from '../../../lib/db/errors.js';

/** The driver's error as objection throws it (its typings leave out the constructor it has). */
function wrapped(nativeError: Error): Error {
  const Wrapper = DBError as unknown as new (args: { nativeError: Error; client: string }) => Error;
  return new Wrapper({ nativeError, client: 'postgres' });
}

describe('isDatabaseUnavailable', () => {
  it.each([
    [
      'a refused socket',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['an administrator shutdown', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['a cut connection', new Error('Connection terminated unexpectedly')],
    // What knex throws when Postgres restarts inside a transaction, at its COMMIT.
    [
      'a client broken earlier',
      new Error('COMMIT; - Client has encountered a connection error and is not queryable'),
    ],
    ['a client closed before', new Error('Client was closed and is not queryable')],
    // What objection throws for a query sent while Postgres shuts down or starts up: the SQLSTATE is the
    // driver's, on the wrapped error.
    [
      'a shutdown wrapped by objection',
      wrapped(Object.assign(new Error('the database system is shutting down'), { code: '57P03' })),
    ],
    [
      'a cut connection as the cause',
      new Error('select 1 failed', { cause: new Error('Connection terminated unexpectedly') }),
    ],
  ])('reads %s as an outage', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key value'), { code: '23505' })],
    ['a syntax error', Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' })],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['no error at all', 'COMMIT'],
    [
      'a constraint wrapped by objection',
      wrapped(Object.assign(new Error('duplicate key value'), { code: '23505' })),
    ],
  ])('reads %s as no outage', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
