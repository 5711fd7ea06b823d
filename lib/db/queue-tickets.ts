/**
 * The sequence a client's match requests take their queue tickets from (lib/db/match-requests.ts,
 * insertMatchRequestForSubject), one per client, created with the client.
 */
export function ticketSequenceOf(clientId: string): string {
  return `match_queue_tickets_${clientId.replaceAll('-', '')}`;
}
