/**
 * What `npm run chaos` found, as markdown (printed and written to CHAOS.md): the counts per accepted
 * request across Postgres, the outbox, the isolated broker's topic and the webhook receiver, and how long
 * each fault took to recover from. All times are seconds since the load started.
 */
import type { IngestOutcome } from './ingest.js';
import type { ExitRecord } from './services.js';

export interface Fault {
  name: string;
  kind: 'worker' | 'ingest' | 'redis' | 'kafka' | 'postgres';
  start: number;
  end: number;
}

export interface RunData {
  profile: {
    mode: 'short' | 'full';
    loadSeconds: number;
    /** Match requests started per second (each retried with its own Idempotency-Key until answered). */
    rate: number;
    killEverySeconds: number;
    redisAt: number;
    redisDownSeconds: number;
    kafkaAt: number;
    kafkaDownSeconds: number;
    postgresAt: number;
    /** Ingest events produced per second; 0: the ingest consumer does not run. */
    ingestRate: number;
    ingestKillEverySeconds: number;
  };
  seed: number;
  /** The command that makes the same random choices again. */
  replay: string;
  t0: number;
  runSeconds: number;
  loadEnded: number;
  /** When settling began: a request finished after it was slow, not lost. */
  settleStart: number;
  settle: Settle;
  stallSeconds: number;
  capSeconds: number;
  ingest: IngestOutcome | undefined;
  submissions: {
    key: string;
    ids: string[];
    outcome: 'pending' | 'accepted' | 'rejected' | 'gave-up';
    attempts: number;
    problem: string | undefined;
    firstSentAt: number;
    acceptedAt: number | undefined;
  }[];
  /** Every answer the load generator got, by status (or network error). */
  answers: Record<string, number>;
  samples: Record<string, string>;
  acceptTimes: number[];
  requestRows: {
    id: string;
    status: string;
    error: string | null;
    created: number;
    finished: number | null;
  }[];
  outbox: { id: string; type: string; n: number }[];
  published: { created: number; published: number | null }[];
  duplicateRanks: { id: string; rank: number; n: number }[];
  oversized: { id: string; n: number }[];
  notifications: Record<string, number>;
  pendingNotifications: { id: string; requestId: string | null; attempts: number; created: number }[];
  messages: { id: string; type: string; subject: string }[];
  deliveries: { webhookId: string; type: string; requestId: string; at: number; verified: boolean }[];
  faults: Fault[];
  exits: ExitRecord[];
}

/**
 * How waiting for the backlog ended: nothing pending; nothing pending went down for `stallSeconds`
 * (what is left is lost); or still moving at `capSeconds`. `backlog` is the last reading.
 */
export interface Settle {
  outcome: 'settled' | 'stalled' | 'capped';
  seconds: number;
  backlog: Record<string, number>;
}

const s = (value: number | undefined | null): string =>
  value === undefined || value === null ? '—' : `${value.toFixed(1)} s`;

/** The longest stretch without an event (sorted times) between `from` and `to`. */
function longestGap(times: number[], from: number, to: number): number {
  const points = [from, ...times.filter((time) => time > from && time < to), to];
  let longest = 0;
  for (let index = 1; index < points.length; index += 1)
    longest = Math.max(longest, (points[index] ?? 0) - (points[index - 1] ?? 0));
  return longest;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Every ingest event the broker acknowledged was applied exactly once (one processed_events record, and its
 * profile's revision counts each applied event once) or, if it can never apply, dead-lettered with a reason.
 */
function ingestSection(ingest: IngestOutcome): { lines: string[]; problems: string[] } {
  const applied = new Set(ingest.applied);
  const valid = ingest.produced.filter((event) => event.expected === 'applied');
  const poison = ingest.produced.filter((event) => event.expected !== 'applied');
  const poisonIds = new Set(poison.map((event) => event.id));
  const copies = new Map<string, { code: string; reason: string }[]>();
  for (const message of ingest.deadLettered)
    copies.set(message.key, [...(copies.get(message.key) ?? []), message]);

  const lost = valid.filter((event) => event.confirmed && !applied.has(event.id));
  const unconfirmedApplied = valid.filter((event) => !event.confirmed && applied.has(event.id));
  const perProfile = new Map<string, number>();
  for (const event of valid.filter((e) => applied.has(e.id))) {
    const profile = `${event.kind} ${event.externalId}`;
    perProfile.set(profile, (perProfile.get(profile) ?? 0) + 1);
  }
  const revisions = new Map(ingest.revisions.map((row) => [`${row.kind} ${row.externalId}`, row.revision]));
  const mismatched = [...new Set([...perProfile.keys(), ...revisions.keys()])]
    .map((profile) => ({
      profile,
      applied: perProfile.get(profile) ?? 0,
      revision: revisions.get(profile) ?? 0,
    }))
    .filter((entry) => entry.applied !== entry.revision);
  const appliedTwice = mismatched.filter((entry) => entry.revision > entry.applied);
  const missingRevisions = mismatched.filter((entry) => entry.revision < entry.applied);
  const poisonLost = poison.filter((event) => event.confirmed && !copies.has(event.id));
  const poisonApplied = poison.filter((event) => applied.has(event.id));
  const wrongReason = poison.filter((event) =>
    (copies.get(event.id) ?? []).some((copy) => copy.code !== event.expected || copy.reason.length === 0),
  );
  const strayDeadLetters = ingest.deadLettered.filter((message) => !poisonIds.has(message.key));
  const repeatedDeadLetters = [...copies]
    .filter(([key]) => poisonIds.has(key))
    .reduce((sum, [, list]) => sum + list.length - 1, 0);
  const unconfirmed = ingest.produced.filter((event) => !event.confirmed);

  const problems: string[] = [];
  if (lost.length + missingRevisions.length > 0)
    problems.push(`${lost.length + missingRevisions.length} ingest event(s) lost`);
  if (appliedTwice.length > 0)
    problems.push(`${appliedTwice.length} ingested profile(s) with an event applied twice`);
  if (poisonLost.length > 0)
    problems.push(`${poisonLost.length} poison ingest event(s) neither dead-lettered nor applied`);
  if (poisonApplied.length > 0) problems.push(`${poisonApplied.length} poison ingest event(s) applied`);
  if (strayDeadLetters.length > 0)
    problems.push(`${strayDeadLetters.length} valid ingest event(s) dead-lettered`);

  const lines = [
    '## Ingest (Kafka consumer under load)',
    '',
    '| | count |',
    '|---|---:|',
    `| events produced and acknowledged | ${ingest.produced.length - unconfirmed.length} |`,
    `| of them upserts (${new Set(valid.map((e) => `${e.kind} ${e.externalId}`)).size} distinct profiles) | ${valid.filter((e) => e.confirmed).length} |`,
    `| of them poison (must be dead-lettered) | ${poison.filter((e) => e.confirmed).length} |`,
    `| never acknowledged (producer gave up; may or may not be on the topic) | ${unconfirmed.length} |`,
    `| upserts applied (processed_events) | ${valid.filter((e) => applied.has(e.id)).length} |`,
    `| of them never acknowledged to the producer | ${unconfirmedApplied.length} |`,
    `| acknowledged upserts not applied (LOST) | ${lost.length} |`,
    `| profiles whose revision counts an event twice | ${appliedTwice.length} |`,
    `| profiles whose revision misses an applied event (LOST) | ${missingRevisions.length} |`,
    `| poison events dead-lettered | ${poison.filter((e) => copies.has(e.id)).length} |`,
    `| poison events neither dead-lettered nor applied (LOST) | ${poisonLost.length} |`,
    `| poison events applied | ${poisonApplied.length} |`,
    `| poison events dead-lettered with an unexpected reason code or none | ${wrongReason.length} |`,
    `| repeated dead-letter copies (at-least-once, allowed) | ${repeatedDeadLetters} |`,
    `| valid events dead-lettered | ${strayDeadLetters.length} |`,
    '',
  ];
  const evidence: [string, string[]][] = [
    [
      'acknowledged upserts not applied',
      lost.map((e) => `${e.id} (${e.kind} ${e.externalId}, sent ${e.at.toFixed(1)} s)`),
    ],
    [
      'revision ≠ events applied',
      mismatched.map((e) => `${e.profile}: revision ${e.revision}, applied ${e.applied}`),
    ],
    ['poison not dead-lettered', poisonLost.map((e) => `${e.id} (${e.expected}, sent ${e.at.toFixed(1)} s)`)],
    [
      'valid events dead-lettered',
      strayDeadLetters.map((m) => `key ${m.key}: ${m.code} ${m.reason.slice(0, 100)}`),
    ],
  ];
  for (const [label, items] of evidence.filter(([, list]) => list.length > 0)) {
    lines.push(`- ${label} (first 20):`, ...items.slice(0, 20).map((item) => `  - ${item}`));
  }
  if (evidence.some(([, list]) => list.length > 0)) lines.push('');
  return { lines, problems };
}

export function renderReport(data: RunData): { markdown: string; failed: boolean } {
  const accepted = data.submissions.filter((submission) => submission.outcome === 'accepted');
  const acceptedIds = [...new Set(accepted.flatMap((submission) => submission.ids))];
  const acceptedSet = new Set(acceptedIds);
  const idempotencyBroken = accepted.filter((submission) => submission.ids.length > 1);
  const rows = new Map(data.requestRows.map((row) => [row.id, row]));

  const completed = acceptedIds.filter((id) => rows.get(id)?.status === 'completed');
  const failedIds = acceptedIds.filter((id) => rows.get(id)?.status === 'failed');
  const pending = acceptedIds.filter((id) => ['queued', 'running'].includes(rows.get(id)?.status ?? ''));
  const missingRows = acceptedIds.filter((id) => !rows.has(id));
  const unknownRows = data.requestRows.filter((row) => !acceptedSet.has(row.id));
  const failureReasons = new Map<string, number>();
  for (const id of failedIds) {
    const reason = (rows.get(id)?.error ?? '(no reason)').slice(0, 160);
    failureReasons.set(reason, (failureReasons.get(reason) ?? 0) + 1);
  }

  // Completed twice: more than one match.completed.v1 (or completed and failed) in the outbox, duplicate ranks.
  const finishedEvents = new Map<string, { completed: number; failed: number; requested: number }>();
  for (const row of data.outbox) {
    const entry = finishedEvents.get(row.id) ?? { completed: 0, failed: 0, requested: 0 };
    if (row.type === 'match.completed.v1') entry.completed += row.n;
    if (row.type === 'match.failed.v1') entry.failed += row.n;
    if (row.type === 'match.requested.v1') entry.requested += row.n;
    finishedEvents.set(row.id, entry);
  }
  const completedTwice = [...finishedEvents].filter(([, e]) => e.completed > 1).map(([id]) => id);
  const completedAndFailed = [...finishedEvents]
    .filter(([, e]) => e.completed > 0 && e.failed > 0)
    .map(([id]) => id);
  const outboxMissingFinish = [...completed, ...failedIds].filter((id) => {
    const entry = finishedEvents.get(id);
    return !entry || entry.completed + entry.failed === 0;
  });

  // Kafka: every accepted request's match.requested and, once finished, its completed/failed event.
  const byRequest = new Map<string, { requested: Set<string>; finished: Set<string>; copies: number }>();
  const copiesPerEvent = new Map<string, number>();
  for (const message of data.messages) {
    copiesPerEvent.set(message.id, (copiesPerEvent.get(message.id) ?? 0) + 1);
    const entry = byRequest.get(message.subject) ?? { requested: new Set(), finished: new Set(), copies: 0 };
    entry.copies += 1;
    if (message.type.endsWith('match.requested.v1')) entry.requested.add(message.id);
    if (message.type.endsWith('match.completed.v1') || message.type.endsWith('match.failed.v1'))
      entry.finished.add(message.id);
    byRequest.set(message.subject, entry);
  }
  const missingRequestedEvent = acceptedIds.filter((id) => (byRequest.get(id)?.requested.size ?? 0) === 0);
  const finishedIds = [...completed, ...failedIds];
  const missingFinishEvent = finishedIds.filter((id) => (byRequest.get(id)?.finished.size ?? 0) === 0);
  const kafkaFinishedTwice = finishedIds.filter((id) => (byRequest.get(id)?.finished.size ?? 0) > 1);
  const duplicateMessages = [...copiesPerEvent.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const requestsWithDuplicateMessages = acceptedIds.filter((id) => {
    const entry = byRequest.get(id);
    return entry !== undefined && entry.copies > entry.requested.size + entry.finished.size;
  }).length;

  // Webhooks: distinct webhook-id per finished request, and repeats of the same id.
  const hooks = new Map<string, { ids: Set<string>; deliveries: number }>();
  for (const delivery of data.deliveries) {
    const entry = hooks.get(delivery.requestId) ?? { ids: new Set(), deliveries: 0 };
    entry.ids.add(delivery.webhookId);
    entry.deliveries += 1;
    hooks.set(delivery.requestId, entry);
  }
  const webhookMissing = finishedIds.filter((id) => !hooks.has(id));
  const webhookTwice = finishedIds.filter((id) => (hooks.get(id)?.ids.size ?? 0) > 1);
  const webhookRepeats = [...hooks.values()].reduce(
    (sum, entry) => sum + entry.deliveries - entry.ids.size,
    0,
  );
  const unverified = data.deliveries.filter((delivery) => !delivery.verified).length;

  // Finished while the run waited for the backlog: slow, not lost.
  const acceptedAt = new Map(accepted.flatMap((x) => x.ids.map((id) => [id, x.acceptedAt ?? 0] as const)));
  const slow = acceptedIds
    .map((id) => ({ id, finished: rows.get(id)?.finished ?? null }))
    .filter((entry): entry is { id: string; finished: number } => entry.finished !== null)
    .filter((entry) => entry.finished > data.settleStart)
    .map((entry) => ({ id: entry.id, after: entry.finished - (acceptedAt.get(entry.id) ?? 0) }))
    .sort((a, b) => b.after - a.after);
  const ingest = data.ingest ? ingestSection(data.ingest) : undefined;

  const lost = [...pending, ...missingRows];
  const problems: string[] = [];
  if (lost.length > 0) problems.push(`${lost.length} accepted request(s) neither completed nor failed`);
  if (missingRequestedEvent.length + missingFinishEvent.length > 0)
    problems.push(`${missingRequestedEvent.length + missingFinishEvent.length} Kafka event(s) missing`);
  if (
    completedTwice.length +
      completedAndFailed.length +
      data.duplicateRanks.length +
      kafkaFinishedTwice.length >
    0
  )
    problems.push('request(s) completed twice');
  if (idempotencyBroken.length > 0)
    problems.push(`${idempotencyBroken.length} Idempotency-Key(s) answered with two different requests`);
  if (outboxMissingFinish.length > 0)
    problems.push(`${outboxMissingFinish.length} finished request(s) without a finish event in the outbox`);
  if (data.oversized.length > 0)
    problems.push(`${data.oversized.length} request(s) with more than topK results`);
  // A dependency that is down is an outage to retry (503); any other 5xx is a bug the run found.
  const serverErrors = Object.entries(data.answers)
    .filter(([answer]) => /^5\d\d$/.test(answer) && answer !== '503')
    .reduce((sum, [, n]) => sum + n, 0);
  if (serverErrors > 0) problems.push(`${serverErrors} answer(s) of 5xx other than 503`);
  // Nothing in the run is a request's own fault: a failed request is one the faults made fail.
  if (failedIds.length > 0) problems.push(`${failedIds.length} accepted request(s) failed`);
  problems.push(...(ingest?.problems ?? []));
  const failed = problems.length > 0;

  const completionTimes = data.requestRows
    .filter((row) => row.status === 'completed' && row.finished !== null)
    .map((row) => row.finished ?? 0)
    .sort((a, b) => a - b);
  const acceptTimes = [...data.acceptTimes].sort((a, b) => a - b);
  /** Requests accepted before the fault and unfinished at its start: when the last of them finished. */
  const backlog = (fault: Fault): number | undefined | 'never' => {
    const caught = data.requestRows.filter(
      (row) =>
        acceptedSet.has(row.id) &&
        row.created < fault.start &&
        (row.finished === null || row.finished > fault.start),
    );
    if (caught.length === 0) return undefined;
    if (caught.some((row) => row.finished === null)) return 'never';
    return Math.max(...caught.map((row) => row.finished ?? 0)) - fault.start;
  };
  const fmtBacklog = (value: number | undefined | 'never'): string =>
    value === 'never' ? 'NEVER (some still unfinished)' : s(value);

  const faultRows: string[] = [];
  const kills = data.faults.filter((fault) => fault.kind === 'worker');
  if (kills.length > 0) {
    const gaps = kills.map((fault) => longestGap(completionTimes, fault.start, fault.start + 10));
    const backlogs = kills.map(backlog);
    const numeric = backlogs.filter((value): value is number => typeof value === 'number');
    const never = backlogs.filter((value) => value === 'never').length;
    faultRows.push(
      `| ${kills.length} × kill -9 of a worker (every ${data.profile.killEverySeconds} s) | ${(kills[0]?.start ?? 0).toFixed(0)}–${(kills.at(-1)?.start ?? 0).toFixed(0)} | ` +
        `— | longest ${s(Math.max(...gaps))}, median ${s(median(gaps))} | ` +
        `median ${s(median(numeric))}, max ${s(numeric.length ? Math.max(...numeric) : undefined)}${never ? `, ${never} NEVER` : ''} | — |`,
    );
  }
  const ingestKills = data.faults.filter((fault) => fault.kind === 'ingest');
  if (ingestKills.length > 0 && data.ingest) {
    const applies = [...data.ingest.appliedAt].sort((a, b) => a - b);
    const gaps = ingestKills.map((fault) => longestGap(applies, fault.start, fault.start + 60));
    faultRows.push(
      `| ${ingestKills.length} × kill -9 of the ingest consumer (every ${data.profile.ingestKillEverySeconds} s) | ${(ingestKills[0]?.start ?? 0).toFixed(0)}–${(ingestKills.at(-1)?.start ?? 0).toFixed(0)} | ` +
        `— | ingest applies paused: longest ${s(Math.max(...gaps))}, median ${s(median(gaps))} | — | — |`,
    );
  }
  for (const fault of data.faults.filter((f) => f.kind !== 'worker' && f.kind !== 'ingest')) {
    const window = fault.end + 30;
    const acceptGap = longestGap(acceptTimes, fault.start, Math.min(window, data.loadEnded));
    const completionGap = longestGap(completionTimes, fault.start, Math.min(window, data.loadEnded + 5));
    let events = '—';
    if (fault.kind === 'kafka') {
      const firstPublish = data.published
        .map((row) => row.published)
        .filter((time): time is number => time !== null && time >= fault.end)
        .sort((a, b) => a - b)[0];
      const during = data.published.filter((row) => row.created >= fault.start && row.created <= fault.end);
      const drained = during.some((row) => row.published === null)
        ? 'NEVER'
        : s(Math.max(...during.map((row) => row.published ?? 0)) - fault.end);
      events = `first publish ${s(firstPublish === undefined ? undefined : firstPublish - fault.end)} after restart; ${during.length} event(s) held in the outbox, all out ${drained} after restart`;
    }
    faultRows.push(
      `| ${fault.name} | ${fault.start.toFixed(1)}–${fault.end.toFixed(1)} | ${s(acceptGap)} | ${s(completionGap)} | ${fmtBacklog(backlog(fault))} | ${events} |`,
    );
  }

  const gaveUp = data.submissions.filter((submission) => submission.outcome === 'gave-up');
  const rejected = data.submissions.filter((submission) => submission.outcome === 'rejected');
  const unexpectedExits = data.exits.filter((exit) => !exit.expected);
  const settle = data.settle;
  const left = Object.entries(settle.backlog)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  const settled =
    settle.outcome === 'settled'
      ? `nothing was pending ${settle.seconds.toFixed(1)} s after`
      : settle.outcome === 'stalled'
        ? `settling stopped after ${settle.seconds.toFixed(1)} s, nothing having moved for ${data.stallSeconds} s (left: ${left || 'unreadable'})`
        : `settling stopped at its cap of ${data.capSeconds} s, still moving (left: ${left || 'unreadable'})`;
  const lines = [
    `# Chaos run (${data.profile.mode}) — ${new Date(data.t0).toISOString()}`,
    '',
    `**Verdict: ${failed ? `FAIL — ${problems.join('; ')}` : `PASS — nothing accepted was lost or failed, nothing done twice, every event published, no 5xx but 503${data.ingest ? ', every ingest event applied once or dead-lettered' : ''}`}**`,
    '',
    `Seed ${data.seed}; replay with \`${data.replay}\`.`,
    '',
    `Load ${data.profile.rate} match requests/s for ${data.profile.loadSeconds} s (ended at ${data.loadEnded.toFixed(0)} s); ` +
      `${settled}; whole run ${data.runSeconds.toFixed(0)} s. 3 workers, 1 relay, 1 API${data.ingest ? ', 1 ingest consumer' : ''} on an isolated Postgres, Redis and Kafka broker.`,
    '',
    '## Requests',
    '',
    '| | count |',
    '|---|---:|',
    `| submitted (distinct Idempotency-Keys) | ${data.submissions.length} |`,
    `| accepted (2xx) | ${acceptedIds.length} |`,
    `| completed | ${completed.length} |`,
    `| failed | ${failedIds.length} |`,
    `| finished while the run waited for the backlog (slow) | ${slow.length} |`,
    `| slow: time from acceptance to finish, median / max | ${s(median(slow.map((x) => x.after)))} / ${s(slow[0]?.after)} |`,
    `| still pending when settling stopped (LOST) | ${pending.length} |`,
    `| accepted but no row at all (LOST) | ${missingRows.length} |`,
    `| rows the client never got a 2xx for | ${unknownRows.length} |`,
    `| one Idempotency-Key answered with two requests | ${idempotencyBroken.length} |`,
    `| never accepted: load generator gave up after 60 s of retries | ${gaveUp.length} |`,
    `| never accepted: rejected with a 4xx | ${rejected.length} |`,
    `| completed twice (>1 match.completed.v1 in the outbox) | ${completedTwice.length} |`,
    `| both completed and failed | ${completedAndFailed.length} |`,
    `| duplicate (request_id, rank) result rows | ${data.duplicateRanks.length} |`,
    `| requests with more than topK results | ${data.oversized.length} |`,
    '',
    '## Events on the broker (lookiy.match-requests)',
    '',
    '| | count |',
    '|---|---:|',
    `| messages read | ${data.messages.length} |`,
    `| accepted requests without match.requested | ${missingRequestedEvent.length} |`,
    `| finished requests without match.completed/failed | ${missingFinishEvent.length} |`,
    `| finished requests with two different finish events | ${kafkaFinishedTwice.length} |`,
    `| duplicate copies of an event (same CloudEvents id; at-least-once, allowed) | ${duplicateMessages} |`,
    `| requests with at least one duplicate copy | ${requestsWithDuplicateMessages} |`,
    `| finished requests without a finish event in the outbox | ${outboxMissingFinish.length} |`,
    '',
    '## Webhooks',
    '',
    '| | count |',
    '|---|---:|',
    `| deliveries received | ${data.deliveries.length} |`,
    `| finished requests with a delivery | ${finishedIds.length - webhookMissing.length} |`,
    `| finished requests without any delivery | ${webhookMissing.length} |`,
    `| requests with two different webhook-ids | ${webhookTwice.length} |`,
    `| repeated deliveries of the same webhook-id (at-least-once, allowed) | ${webhookRepeats} |`,
    `| signature did not verify | ${unverified} |`,
    `| notifications by status in Postgres | ${
      Object.entries(data.notifications)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '—'
    } |`,
    '',
    ...(ingest?.lines ?? []),
    '## Faults and recovery',
    '',
    'Times in seconds since the load started. *Accepts paused*: the longest stretch without a 2xx answer from the fault until 30 s after it. ' +
      '*Completions paused*: the same for requests completing (from `completed_at`). *Caught requests done*: requests accepted before the ' +
      "fault and unfinished when it struck — how long after the fault began the last of them finished (a killed worker's job waits for " +
      'its lock to expire, JOB_LOCK_MS = 5 s; jobs a Redis restart lost wait for the reconciler, every 2 s for rows older than 5 s).',
    '',
    '| fault | at | accepts paused | completions paused | caught requests done | events |',
    '|---|---|---:|---:|---:|---|',
    ...faultRows,
    '',
  ];
  if (failureReasons.size > 0) {
    lines.push('## Failure reasons', '', '| reason | count |', '|---|---:|');
    for (const [reason, n] of [...failureReasons].sort((a, b) => b[1] - a[1]))
      lines.push(`| ${reason.replace(/\|/g, '\\|')} | ${n} |`);
    lines.push('');
  }
  lines.push(
    '## Answers the load generator got (every attempt)',
    '',
    '| answer | count | first body |',
    '|---|---:|---|',
  );
  for (const [answer, n] of Object.entries(data.answers).sort((a, b) => b[1] - a[1])) {
    const sample = answer.startsWith('2')
      ? ''
      : (data.samples[answer] ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
    lines.push(`| ${answer} | ${n} | ${sample ? `\`${sample}\`` : ''} |`);
  }
  lines.push('');
  const retried = accepted.filter((submission) => submission.attempts > 1);
  lines.push(
    `${retried.length} accepted request(s) needed a retry (most attempts: ${Math.max(0, ...accepted.map((x) => x.attempts))}).`,
    '',
  );
  if (gaveUp.length + rejected.length > 0) {
    const reasons = new Map<string, number>();
    for (const submission of [...gaveUp, ...rejected]) {
      const reason = `${submission.outcome}: ${(submission.problem ?? '?').slice(0, 120)}`;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    lines.push('Never accepted, by last answer:', '');
    for (const [reason, n] of reasons) lines.push(`- ${n} × ${reason.replace(/\n/g, ' ')}`);
    lines.push('');
  }
  lines.push('## Process exits', '');
  lines.push(
    `${data.exits.filter((exit) => exit.expected).length} kill -9 by the fault injector (each restarted after 1 s). Unexpected exits: ${unexpectedExits.length}.`,
  );
  for (const exit of unexpectedExits)
    lines.push(`- ${exit.name} at ${exit.at.toFixed(1)} s: ${exit.signal ?? `code ${exit.code}`}`);
  lines.push('');
  const evidence: [string, string[]][] = [
    ['lost (pending)', pending],
    ['lost (no row)', missingRows],
    ['completed twice', completedTwice],
    ['completed and failed', completedAndFailed],
    ['no match.requested on Kafka', missingRequestedEvent],
    ['no finish event on Kafka', missingFinishEvent],
    ['no webhook', webhookMissing],
    [
      'slow (finished while settling; seconds after acceptance)',
      slow.map((x) => `${x.id} ${x.after.toFixed(1)} s`),
    ],
    [
      'notifications still pending (notification id → request id)',
      data.pendingNotifications.map(
        (n) =>
          `${n.id} → ${n.requestId ?? '—'} (created ${n.created.toFixed(1)} s, ${n.attempts} attempt(s))`,
      ),
    ],
    [
      'never accepted (Idempotency-Key: last answer)',
      [...gaveUp, ...rejected].map(
        (x) =>
          `key ${x.key}: first sent ${x.firstSentAt.toFixed(1)} s, ${x.attempts} attempts, last ${(x.problem ?? '?').slice(0, 60)}`,
      ),
    ],
    ['rows the client never got a 2xx for', unknownRows.map((row) => `${row.id} (${row.status})`)],
  ];
  const shown = evidence.filter(([, ids]) => ids.length > 0);
  if (shown.length > 0) {
    lines.push('## Evidence (request ids, first 20 of each)', '');
    for (const [label, ids] of shown) {
      lines.push(`- ${label}:`);
      for (const id of ids.slice(0, 20)) {
        const row = rows.get(id.split(' ')[0] ?? '');
        lines.push(
          `  - ${id}${row ? ` status ${row.status}, created ${row.created.toFixed(1)} s, finished ${row.finished === null ? '—' : `${row.finished.toFixed(1)} s`}${row.error ? `, error: ${row.error.slice(0, 120)}` : ''}` : ''}`,
        );
      }
    }
    lines.push('');
  }
  const p = data.profile;
  lines.push(
    '## Schedule',
    '',
    `- from 0 s: ${p.rate} requests/s, each with its own Idempotency-Key, retried with the same key on 429, 5xx, 409 "in progress" and network errors (for up to 60 s, and at most 15 s after the load stops)`,
    `- every ${p.killEverySeconds} s: kill -9 of a random worker, restarted 1 s later`,
    ...(p.ingestRate > 0
      ? [
          `- from 0 s: ${p.ingestRate} ingest events/s (job and candidate upserts, new profiles and updates, about 1 in 20 poison), each sent again with the same id until the broker acknowledges it`,
          `- every ${p.ingestKillEverySeconds} s: kill -9 of the ingest consumer, restarted 1 s later`,
        ]
      : []),
    `- ${p.redisAt} s: Redis stopped (no persistence: every queue, job and scheduler is gone), started again on the same port after ${p.redisDownSeconds} s`,
    `- ${p.kafkaAt} s: the Kafka broker stopped (SIGTERM), started again after ${p.kafkaDownSeconds} s`,
    `- ${p.postgresAt} s: Postgres restarted with pg_ctl restart -m fast`,
    `- ${p.loadSeconds} s: load stops; the run waits until nothing is pending (no request queued or running, no outbox row unpublished, no notification pending, no features/match/notify job in Redis${p.ingestRate > 0 ? ', no ingest event unconsumed' : ''}), or until none of these counts has gone down for ${data.stallSeconds} s (what is left is lost), at most ${data.capSeconds} s`,
    '',
  );
  return { markdown: lines.join('\n'), failed };
}
