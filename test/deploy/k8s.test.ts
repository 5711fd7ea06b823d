import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

import { configVariables, loadConfig } from '../../lib/config.js';
import { createQueues } from '../../lib/queues/queues.js';
import { queueNames } from '../../lib/queues/registry.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const k8s = `${root}deploy/k8s/`;

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name: string; containerPort: number }[];
  envFrom?: ({ configMapRef: { name: string } } | { secretRef: { name: string } })[];
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
}

async function manifests(): Promise<Manifest[]> {
  const kustomization = (await parse('kustomization.yaml'))[0] as unknown as { resources: string[] };
  return (await Promise.all(kustomization.resources.map(parse))).flat();
}

async function parse(file: string): Promise<Manifest[]> {
  const documents = parseAllDocuments(await readFile(`${k8s}${file}`, 'utf8'));
  for (const document of documents) expect(document.errors, file).toEqual([]);
  return documents.map((document) => document.toJS() as Manifest);
}

const containersOf = (manifest: Manifest): Container[] =>
  (manifest.spec?.template as { spec: { containers: Container[] } } | undefined)?.spec.containers ?? [];

describe('Kubernetes manifests (deploy/k8s)', () => {
  it('parse, and every resource the kustomization lists is named and typed', async () => {
    const all = await manifests();
    expect(all.map((manifest) => manifest.kind).sort()).toEqual(
      [
        'ConfigMap',
        'Deployment',
        'Deployment',
        'Deployment',
        'Deployment',
        'Job',
        'Namespace',
        'ScaledObject',
        'Service',
        'TriggerAuthentication',
      ].sort(),
    );
    for (const manifest of all) {
      expect(manifest.apiVersion, manifest.kind).toEqual(expect.any(String));
      expect(manifest.metadata.name, manifest.kind).toMatch(/^[a-z0-9-]+$/);
    }
  });

  it('run entry points the build produces, with probes on the endpoints each process serves', async () => {
    for (const manifest of (await manifests()).filter(
      (item) => item.kind === 'Deployment' || item.kind === 'Job',
    )) {
      for (const container of containersOf(manifest)) {
        const entry = container.command?.find((part) => part.startsWith('dist/'));
        if (entry)
          expect(existsSync(`${root}${entry.slice('dist/'.length).replace(/\.js$/, '.ts')}`), entry).toBe(
            true,
          );
        expect(container.envFrom).toEqual([
          { configMapRef: { name: 'lookiy-match' } },
          { secretRef: { name: 'lookiy-match' } },
        ]);
        if (manifest.kind === 'Job') continue;
        const portNames = (container.ports ?? []).map((port) => port.name);
        expect(container.readinessProbe?.httpGet.path, manifest.metadata.name).toBe('/readyz');
        expect(container.livenessProbe?.httpGet.path, manifest.metadata.name).toBe('/healthz');
        expect(portNames).toContain(container.readinessProbe?.httpGet.port);
      }
    }
  });

  it('configure only settings the service knows, with values it accepts', async () => {
    const configMap = (await manifests()).find((manifest) => manifest.kind === 'ConfigMap');
    const data = configMap?.data ?? {};
    expect(Object.keys(data).filter((name) => !configVariables.includes(name))).toEqual([]);
    const config = loadConfig({
      ...data,
      // From the lookiy-match Secret, as the pods get them.
      DATABASE_URL: 'postgres://db/app',
      REDIS_URL: 'redis://redis:6379',
      WEBHOOK_SECRET_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
    });
    expect(config.redis.queuePrefix).toBe(data.QUEUE_PREFIX);
    const ports = (await manifests())
      .filter((manifest) => manifest.kind === 'Deployment')
      .flatMap(containersOf)
      .flatMap((container) => container.ports ?? [])
      .map((port) => port.containerPort);
    expect(new Set(ports)).toEqual(new Set([config.http.port, config.ops.port]));
  });

  it('scale workers on where BullMQ keeps each queue’s waiting jobs', async () => {
    const all = await manifests();
    const prefix = all.find((manifest) => manifest.kind === 'ConfigMap')?.data?.QUEUE_PREFIX ?? '';
    const scaled = all.find((manifest) => manifest.kind === 'ScaledObject');
    const triggers = (scaled?.spec?.triggers ?? []) as {
      type: string;
      metadata: { listName?: string; query?: string };
    }[];
    expect(triggers.map((trigger) => trigger.type)).toEqual(['prometheus', 'redis', 'redis']);
    expect(triggers[0]?.metadata.query).toContain(
      'lookiy_queue_jobs{queue="match",state=~"waiting|prioritized"}',
    );
    expect(triggers[1]?.metadata.listName).toBe(`${prefix}:features:wait`);
    expect(triggers[2]?.metadata.listName).toBe(`${prefix}:match-run:wait`);
    expect(queueNames).toEqual(expect.arrayContaining(['match', 'features', 'match-run']));

    // The contract KEDA relies on, checked against the service's own queues: a match job as the API adds it
    // waits as "prioritized" (what lookiy_queue_jobs reports), a features job and a run's lane (as
    // submitMatchRun adds them) as one entry each in their wait lists.
    const testPrefix = `{k8s-test-${process.pid}}`;
    const config = loadConfig({ QUEUE_PREFIX: testPrefix });
    const connection = new Redis(config.redis.url, { maxRetriesPerRequest: null });
    const queues = createQueues(config, connection);
    try {
      await queues.add('match', { requestId: 'x' }, { priority: 1 });
      await queues.add('features', { kind: 'job', id: 'x', revision: 1 });
      await queues.addBulk('match-run', [{ runId: 'x', lane: 0 }]);
      expect(await queues.get('match').getJobCounts('waiting', 'prioritized')).toMatchObject({
        waiting: 0,
        prioritized: 1,
      });
      expect(await connection.llen(`${testPrefix}:features:wait`)).toBe(1);
      expect(await connection.llen(`${testPrefix}:match-run:wait`)).toBe(1);
    } finally {
      for (const name of ['match', 'features', 'match-run'] as const)
        await queues.get(name).obliterate({ force: true });
      await queues.close();
      connection.disconnect();
    }
  });
});
