import { Writable } from 'node:stream';

import { logLevel } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

import { logCreator } from '../../lib/events/kafka.js';

function capture(): {
  lines: { level: number; msg: string }[];
  log: ReturnType<ReturnType<typeof logCreator>>;
} {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { lines, log: logCreator(pino(stream))() };
}

describe('kafkajs logs', () => {
  it('are warnings when kafkajs goes on (a leader moved: the response error and the retried send), errors otherwise', () => {
    const { lines, log } = capture();
    const entry = (namespace: string, message: string, extra: Record<string, unknown> = {}) => ({
      namespace,
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: '', logger: 'kafkajs', message, ...extra },
    });
    log(entry('Connection', 'Response Produce(key: 0, version: 7)', { error: 'not the leader' }));
    log(entry('Producer', 'Failed to send messages: not the leader', { retryCount: 0, retryTime: 268 }));
    log(entry('Consumer', 'Crash: KafkaJSNonRetriableError'));
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [40, 'Response Produce(key: 0, version: 7)'],
      [40, 'Failed to send messages: not the leader'],
      [50, 'Crash: KafkaJSNonRetriableError'],
    ]);
  });
});
