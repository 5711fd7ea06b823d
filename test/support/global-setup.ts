import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

import type { TestProject } from 'vitest/node';

import { loadConfig } from '../../lib/config.js';

const LOCAL_BROKER = { host: '127.0.0.1', port: 9092 };
const root = fileURLToPath(new URL('../..', import.meta.url));

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

function kafkaScript(command: 'start' | 'stop'): void {
  const result = spawnSync('bash', ['scripts/kafka.sh', command], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0)
    throw new Error(`scripts/kafka.sh ${command} failed (exit ${String(result.status)})`);
}

/**
 * Tests run against a real Kafka broker: the one KAFKA_BROKERS names, or else the project's local broker,
 * started here when it is not running already and stopped again at the end.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const configured = loadConfig().kafka.brokers;
  let startedHere = false;
  if (configured.length === 0 && !(await reachable(LOCAL_BROKER.host, LOCAL_BROKER.port))) {
    kafkaScript('start');
    startedHere = true;
  }
  project.provide(
    'kafkaBrokers',
    configured.length > 0 ? configured : [`${LOCAL_BROKER.host}:${LOCAL_BROKER.port}`],
  );
  return () => {
    if (startedHere) kafkaScript('stop');
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
  }
}
