import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The id of the client request (or ingest event) a piece of work descends from. It is carried implicitly,
 * through async calls, so that logs, queued jobs, outbox events, Kafka headers and webhooks all name the
 * request without every function passing it on: the API sets it per request, a worker per job.
 */
const storage = new AsyncLocalStorage<RequestContext>();

/** Who made the request, once its API key is checked: safe to log (the key's public prefix, never the key). */
export interface RequestCaller {
  clientId: string;
  apiKeyPrefix: string;
}

interface RequestContext {
  requestId: string;
  caller?: RequestCaller;
}

/** Ids a caller may choose (X-Request-Id): short, printable, safe in logs and headers. */
const CALLER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

export function currentCaller(): RequestCaller | undefined {
  return storage.getStore()?.caller;
}

/** Names the caller of the request being served, for everything logged from here on. */
export function identifyCaller(caller: RequestCaller): void {
  const context = storage.getStore();
  if (context) context.caller = caller;
}

/** Runs `work` as part of request `requestId`; with none, as part of a new one. */
export function withRequestId<Result>(requestId: string | undefined, work: () => Result): Result {
  return storage.run({ requestId: requestId ?? randomUUID() }, work);
}

/** The caller's id when it is one we may echo, else a new one. */
export function requestIdFrom(header: string | undefined): string {
  return header !== undefined && CALLER_ID.test(header) ? header : randomUUID();
}
