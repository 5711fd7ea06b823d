/** One field-level problem, located by a JSON Pointer (RFC 6901) into the request. */
export interface FieldProblem {
  pointer: string;
  detail: string;
}

/**
 * Errors a client can act on. The API turns each into an RFC 9457 problem+json response; anything that
 * is not an AppError is a bug or an outage and becomes a 500 with no internals in the body.
 */
export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  abstract readonly title: string;
  readonly errors: FieldProblem[] | undefined;
  readonly headers: Record<string, string> = {};

  constructor(detail: string, errors?: FieldProblem[], options?: ErrorOptions) {
    super(detail, options);
    this.name = new.target.name;
    this.errors = errors;
  }
}

export class MalformedRequestError extends AppError {
  readonly status = 400;
  readonly type = 'malformed-request';
  readonly title = 'Malformed request';
}

export class ValidationError extends AppError {
  readonly status = 422;
  readonly type = 'validation-failed';
  readonly title = 'Request failed validation';
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly type = 'unauthorized';
  readonly title = 'Missing or invalid credentials';
  override readonly headers: Record<string, string>;

  /** `challenge` is the WWW-Authenticate scheme; Basic makes a browser ask for the credentials. */
  constructor(detail: string, challenge = 'Bearer') {
    super(detail);
    this.headers = { 'WWW-Authenticate': challenge };
  }
}

/** Authenticated, but the credentials do not allow this (a read-only API key asking to write). */
export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly type = 'forbidden';
  readonly title = 'Not allowed with these credentials';
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly type = 'not-found';
  readonly title = 'Not found';
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly type = 'conflict';
  readonly title = 'Conflict';
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly type = 'payload-too-large';
  readonly title = 'Request body too large';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly type = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
}

/** Redis (the queue transport) refused or is unreachable; nothing was written, the client should retry. */
/** Postgres is unreachable or restarting: an outage the client should retry; nothing was written. */
export class DatabaseUnavailableError extends AppError {
  readonly status = 503;
  readonly type = 'database-unavailable';
  readonly title = 'Service temporarily unavailable';
  override readonly headers = { 'Retry-After': '5' };
}

export class RateLimitedError extends AppError {
  readonly status = 429;
  readonly type = 'rate-limited';
  readonly title = 'Too many requests';
  override readonly headers: Record<string, string>;

  constructor(detail: string, headers: Record<string, string>) {
    super(detail);
    this.headers = headers;
  }
}

/** An Idempotency-Key sent again with another request than the one it was first used for. */
export class IdempotencyKeyReusedError extends AppError {
  readonly status = 422;
  readonly type = 'idempotency-key-reused';
  readonly title = 'Idempotency-Key used for another request';
}

/** The first request with this Idempotency-Key is still being processed. */
export class IdempotencyKeyInUseError extends AppError {
  readonly status = 409;
  readonly type = 'idempotency-key-in-use';
  readonly title = 'A request with this Idempotency-Key is in progress';
  override readonly headers = { 'Retry-After': '1' };
}

/**
 * A key change (a revocation) is committed, but Redis could not carry the news to the API replicas' key
 * caches. Repeating the change, which is idempotent, announces it again.
 */
export class KeyChangeNotAnnouncedError extends AppError {
  readonly status = 503;
  readonly type = 'key-change-not-announced';
  readonly title = 'Service temporarily unavailable';
  override readonly headers = { 'Retry-After': '5' };
}

export class QueueUnavailableError extends AppError {
  readonly status = 503;
  readonly type = 'queue-unavailable';
  readonly title = 'Service temporarily unavailable';
  override readonly headers = { 'Retry-After': '5' };

  constructor(queue: string, cause: unknown) {
    super(`The ${queue} queue is unavailable; nothing was saved. Retry shortly.`, undefined, { cause });
  }
}

/** A features job names a revision its row never had: added by hand, or by a bug. */
export class RevisionNotWrittenError extends Error {
  constructor(kind: string, id: string, revision: number) {
    super(`${kind} ${id} has no revision ${revision}: no write of it was committed`);
    this.name = 'RevisionNotWrittenError';
  }
}

/**
 * An ingest message that can never be applied, however often it is redelivered: it goes to the dead-letter
 * topic with `code` and the message as its reason, and the partition moves on. Anything else that goes
 * wrong while applying one (Postgres or Redis down) is retried instead.
 */
export abstract class UnprocessableEventError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Not JSON, or not a CloudEvents 1.0 envelope with the attributes ingest needs. */
export class MalformedEventError extends UnprocessableEventError {
  readonly code = 'malformed-event';
}

/** A well-formed event of a type the topic does not carry. */
export class UnexpectedEventTypeError extends UnprocessableEventError {
  readonly code = 'unexpected-type';
}

/** The event's data fails the validation the API applies to the same body. */
export class InvalidEventDataError extends UnprocessableEventError {
  readonly code = 'invalid-data';
}

/** The event names a client (tenant) that does not exist. */
export class UnknownTenantError extends UnprocessableEventError {
  readonly code = 'unknown-tenant';
}

/** Postgres refused the event's values (a data exception or constraint): the same values fail every time. */
export class EventRefusedByDatabaseError extends UnprocessableEventError {
  readonly code = 'refused-by-database';
}

/** A failure that retrying cannot fix (the subject was deleted, say): the job fails at once. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/** A webhook URL that points somewhere we refuse to call (a private network, say): nothing is stored. */
export class WebhookUrlRefusedError extends AppError {
  readonly status = 422;
  readonly type = 'webhook-url-refused';
  readonly title = 'Webhook URL refused';

  constructor(detail: string) {
    super(detail, [{ pointer: '/url', detail }]);
  }
}

/**
 * A delivery's destination resolved to an address outside what webhooks may reach. Thrown from the
 * connection's own DNS lookup, so an answer that changed since registration (DNS rebinding) is caught too.
 */
export class DestinationRefusedError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(
      host === address
        ? `${address} is a ${range} address, which webhooks may not reach`
        : `${host} resolves to ${address}, a ${range} address, which webhooks may not reach`,
    );
    this.name = 'DestinationRefusedError';
  }
}

/** One webhook delivery attempt that did not get a 2xx answer; the queue retries it with backoff. */
export class WebhookDeliveryError extends Error {
  constructor(
    message: string,
    /** How long the receiver asked us to wait (Retry-After), if it did. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
    this.name = 'WebhookDeliveryError';
  }
}
