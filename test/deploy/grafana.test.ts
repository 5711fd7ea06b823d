import { readFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';

import { metricsRegistry } from '../../lib/metrics.js';

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}

describe('the sample Grafana dashboard (deploy/grafana/lookiy-match.json)', () => {
  it('plots only metrics the service exports', async () => {
    const dashboard = JSON.parse(
      await readFile(new URL('../../deploy/grafana/lookiy-match.json', import.meta.url), 'utf8'),
    ) as Dashboard;
    const exported = new Set((await metricsRegistry.getMetricsAsJSON()).map((metric) => metric.name));
    const referenced = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((target) => [...target.expr.matchAll(/\blookiy_[a-z_]+/g)].map(([name]) => name)),
    );
    expect(referenced.length).toBeGreaterThan(10);
    const unknown = referenced
      .map((name) => name.replace(/_(bucket|count|sum)$/, ''))
      .filter((name) => !exported.has(name));
    expect(unknown).toEqual([]);
  });
});
