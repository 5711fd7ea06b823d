import type { Message } from 'kafkajs';
import { z } from 'zod';

import type { UnsentEvent } from '../db/outbox-session.js';
import { cloudEventType, type EventType } from './registry.js';

/**
 * A CloudEvents 1.0 event in structured JSON mode: the Kafka message value is this object. `clientid` is
 * an extension attribute naming the client (tenant) the event belongs to; events that belong to no client
 * (model.activated) leave it out.
 */
export interface CloudEvent<Data = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  clientid?: string;
  data: Data;
}

export const SOURCE = '/lookiy-match';
/** The Kafka header that carries the X-Request-Id of the API call behind an event, both ways. */
export const REQUEST_ID_HEADER = 'x-request-id';
const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';

/** Where an event happened: the client's part of the service, or the service itself. */
export function sourceOf(clientId: string | null): string {
  return clientId === null ? SOURCE : `${SOURCE}/clients/${clientId}`;
}

export function toCloudEvent(row: UnsentEvent): CloudEvent {
  return {
    specversion: '1.0',
    id: row.eventId,
    source: sourceOf(row.clientId),
    type: cloudEventType(row.eventType as EventType),
    subject: row.aggregateId,
    time: row.createdAt.toISOString(),
    datacontenttype: 'application/json',
    ...(row.clientId === null ? {} : { clientid: row.clientId }),
    data: row.payload,
  };
}

/**
 * The Kafka message of an outbox row: keyed by the aggregate id, so one aggregate's events share a partition
 * and keep their order. The value is the whole event (structured mode); the main attributes are repeated as
 * ce_ headers so consumers can route and deduplicate without parsing the value.
 */
export function toKafkaMessage(row: UnsentEvent): Message {
  const event = toCloudEvent(row);
  const headers: Record<string, string> = {
    'content-type': STRUCTURED_CONTENT_TYPE,
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_source: event.source,
    ce_type: event.type,
    ce_subject: event.subject,
    ce_time: event.time,
  };
  if (event.clientid !== undefined) headers.ce_clientid = event.clientid;
  // Not part of the event: a correlation id, so one API request can be followed into every consumer.
  if (row.requestId !== null) headers[REQUEST_ID_HEADER] = row.requestId;
  return { key: row.aggregateId, value: JSON.stringify(event), headers };
}

/**
 * What ingest needs of an inbound event. Other attributes (subject, time, extensions) may be present and are
 * ignored; datacontenttype, when given, must say JSON, since data is read as JSON.
 */
export const inboundEnvelope = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(255),
  source: z.string().min(1).max(1000),
  type: z.string().min(1),
  clientid: z.uuid(),
  datacontenttype: z
    .string()
    .regex(/^application\/(?:[\w.+-]+\+)?json\b/, 'must be a JSON media type')
    .optional(),
  data: z.unknown(),
});

export type InboundEnvelope = z.output<typeof inboundEnvelope>;
