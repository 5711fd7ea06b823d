/** SQLSTATE classes and codes that mean the database is not there to answer, not that the query is wrong. */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

/** How deep isDatabaseUnavailable looks through wrapped errors. */
const WRAPPED_DEPTH = 3;

/**
 * Whether `error` says Postgres is unreachable, restarting or out of connections (an outage a client should
 * retry), as opposed to a bug or a bad query: connection exceptions (SQLSTATE class 08), an administrator
 * or crash shutdown, "cannot connect now", too many connections, a refused or cut socket, a pool that could
 * not get a connection in time, a client whose connection broke earlier. Objection wraps the driver's error
 * (DBError, its SQLSTATE on `nativeError`), and others put theirs on `cause`: those are read too.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, name, message, nativeError, cause } = error as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    nativeError?: unknown;
    cause?: unknown;
  };
  if (
    depth < WRAPPED_DEPTH &&
    (isDatabaseUnavailable(nativeError, depth + 1) || isDatabaseUnavailable(cause, depth + 1))
  )
    return true;
  if (
    typeof code === 'string' &&
    (code.startsWith('08') || UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code))
  )
    return true;
  if (name === 'KnexTimeoutError') return true;
  // node-postgres refuses a client whose connection broke earlier ("Client has encountered a connection error
  // and is not queryable"), as at the COMMIT of a transaction that was open while Postgres restarted.
  return (
    typeof message === 'string' &&
    /Connection terminated|connection to server .* failed|is not queryable/i.test(message)
  );
}

/** Whether `error` is Postgres refusing a write for the constraint named by SQLSTATE `code`. */
function violates(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** unique_violation: another row already has the key. */
export const isUniqueViolation = (error: unknown): boolean => violates(error, '23505');

/** foreign_key_violation: the row a write refers to is gone. */
export const isForeignKeyViolation = (error: unknown): boolean => violates(error, '23503');
